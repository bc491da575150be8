import Alerting
import Testing

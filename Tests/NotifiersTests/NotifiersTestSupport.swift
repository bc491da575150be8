import Notifiers
import Testing

// OAuthTopConfig: the edge where oauthtop's user files become typed values.
//
// Owns: parsing `oauthtop.yaml`, fault schedule files and (later) rule and theme files, once,
// into the typed values of the lower layers (`ProviderConfiguration`, `FaultSchedule`, ...),
// reporting every problem as `FILE:LINE:COLUMN: error: message` so a user can fix a whole file
// in one pass; finding the configuration file (`ConfigLocator`); reading the secrets a
// configuration names from the environment or from files.
//
// Must not: perform I/O beyond reading the files it is asked to read (the configuration, the
// secret files it names), start services, open sockets, or hold secrets longer than it takes to
// build the values. Secret values never appear in a diagnostic.

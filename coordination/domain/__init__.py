"""Pure rules of the 1+2+N mechanism: no database, no clock, no I/O."""

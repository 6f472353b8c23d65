"""tartsim: a simulated Tart host for Linux test runs (see test/sim/README.md)."""

VERSION = "2.32.1"

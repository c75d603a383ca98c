"""Cross-cutting pieces every domain app uses: errors, audit log, periodic jobs, UI shell.
Imports no domain app."""

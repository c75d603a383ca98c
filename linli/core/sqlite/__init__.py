"""Django's SQLite backend, told the real limit on parameters per statement."""

"""The residents register: households, residents, protected personal data, import and
export."""

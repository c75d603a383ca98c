"""Linli (邻里): services and self-governance for Chinese urban neighbourhoods."""

"""Example offer files, shipped inside the package as ``xlpy.examples`` (see pyproject.toml)."""

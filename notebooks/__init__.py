"""billkit's notebooks. This folder is their one source; billkit installs it as the data-only package
`billkit.notebooks` (see setup.py), where `billkit.notebook.catalog` finds them with importlib.resources."""

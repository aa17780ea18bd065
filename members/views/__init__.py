"""Views of the allies domain, one module per area: directory, joining, account area, coordination."""

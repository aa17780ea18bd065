"""Views of projects and pathways: public pages, the allies' side, coordination."""

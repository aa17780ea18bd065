"""Views of the events domain: public pages, attendees, coordination (events and registrations)."""

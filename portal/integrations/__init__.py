"""Outside systems (practice-management, calendars): outgoing webhooks and the incoming API."""

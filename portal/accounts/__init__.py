"""Customer accounts: invitations, password resets and changes, own details, login limits."""

"""The platform's admin commands: /admin, /grant and /revoke_role with a confirmation step, /whois."""

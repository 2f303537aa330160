"""Stats: the roll-ups the admin's charts and the daily digest read, and the job that keeps them."""

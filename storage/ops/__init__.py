"""Operations' storage: what the platform's alerts remember (which are firing, when each was last sent) and
the outbox figures health, metrics and alerts read."""

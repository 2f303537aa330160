"""Images the wallet draws with Pillow: the card, the presentation QR and the verification result."""

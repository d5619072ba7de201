"""Tell people: the alert log, the delivery channels (e-mail, webhooks) and OPEL escalations."""

"""Who owns it: address classes, registered domains, and opt-in network attribution."""

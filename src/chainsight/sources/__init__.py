"""Where artifacts and source trees come from (archives, Debian sources, git)."""

"""Real-browser tests: the real server (``kb serve``) driven by Debian's Chromium through Playwright."""

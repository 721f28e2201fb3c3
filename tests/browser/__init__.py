"""Tests that drive a real headless Chromium (Debian's /usr/bin/chromium through Playwright)."""

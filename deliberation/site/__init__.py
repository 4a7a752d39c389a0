"""The site's own pages, which gather every stage: home, lists, the demo commands."""

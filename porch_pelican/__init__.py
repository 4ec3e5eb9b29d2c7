"""Porch Pelican plugin: connects the static blog to the Porch comment service.

The blog never needs the service to build. The plugin bakes the service's
comments export into articles (with who answered each reader comment, and how
fast) and the blog's answer figures into pages that ask for them, attaches
author profiles, describes each article for search engines (JSON-LD) and writes its
comments feed, draws each post's share image, and writes the posts manifest the
service loads to learn which posts (and authors) exist. The theme's scripts and styles
are minified in the output, and robots.txt names the sitemap.
"""

from pelican import signals

from . import (
    comment_feeds,
    comments,
    defaults,
    language,
    listings,
    manifest,
    minify,
    profiles,
    share_images,
    site_files,
)


def register():
    """Connect module-level handlers (blinker keeps only weak references)."""
    signals.initialized.connect(defaults.apply_defaults)
    signals.initialized.connect(site_files.forget_unfinished_sitemap)
    signals.initialized.connect(listings.start_index)
    signals.initialized.connect(share_images.start_workers)
    signals.generator_init.connect(language.install_translations)
    signals.article_generator_finalized.connect(language.localise_dates)
    signals.page_generator_finalized.connect(language.localise_dates)
    signals.content_written.connect(listings.note_listing)
    signals.article_generator_finalized.connect(comments.attach_comments)
    signals.article_generator_finalized.connect(manifest.collect_posts)
    signals.article_generator_finalized.connect(share_images.plan_share_images)
    signals.all_generators_finalized.connect(profiles.attach_profiles)
    signals.article_writer_finalized.connect(comments.write_comment_pages)
    signals.article_writer_finalized.connect(comment_feeds.write_feeds)
    signals.finalized.connect(manifest.write_manifest)
    signals.finalized.connect(minify.minify_theme_assets)
    signals.finalized.connect(site_files.write_robots)
    signals.finalized.connect(share_images.draw_share_images)

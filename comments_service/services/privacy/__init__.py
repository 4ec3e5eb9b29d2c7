"""Readers' data: what an address holds, export and erasure requests, and retention."""

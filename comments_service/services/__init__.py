"""The service layer, one sub-package per domain. Services add to the session and never commit."""

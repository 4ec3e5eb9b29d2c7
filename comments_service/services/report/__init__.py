"""The report "What readers told us", its charts, its mail, and the answer-time figures."""

"""What every app shares: the extension registries (`extensions`), the reader of uploaded
files and its row reports (`uploads`), the territory-and-permission lookup of views and API
(`lookup`) and the form-error partial (`templates/core/_form_errors.html`).

It imports no other Maillage app: every app may use it.
"""

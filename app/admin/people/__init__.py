"""People and units (人员与单位): the unit tree, people in an admin's scope, importing
candidates from CSV/XLSX, roles, and registering candidates to sessions."""

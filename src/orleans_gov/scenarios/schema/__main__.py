"""``python -m orleans_gov.scenarios.schema``: rewrite the key reference table of ``config/scenarios/README.md``."""
from orleans_gov.scenarios.schema.reference import README, table_reference

table_reference(README)
print(f"table de référence écrite dans {README}")

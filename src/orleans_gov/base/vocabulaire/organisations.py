"""Staff and support functions (organisation comparison, collection workbooks)."""
from __future__ import annotations

from orleans_gov.base.vocabulaire import Terme, declarer

declarer(
    Terme("effectif", "Effectif", "agents", "agents sur emploi permanent et non permanent au 31/12 (bilan social)"),
    Terme("etp_pour_1000_hab", "ETP pour 1 000 habitants", "ETP pour 1 000 hab", "ETP / population × 1 000"),
    Terme("part_contractuels", "Part des contractuels", "%", "ETP contractuels / ETP × 100"),
    Terme("cout_par_etp", "Coût moyen d'un ETP", "k€ par ETP", "charges de personnel / ETP"),
    Terme("part_personnel_charges", "Charges de personnel / charges de fonctionnement", "%",
          "DGFiP « perso » / « charge » × 100"),
    Terme("agents_police", "Agents de police municipale", "agents",
          "Ministère de l'Intérieur, enquête « Police municipale : effectifs par commune »"),
    Terme("agents_police_pour_1000", "Agents de police municipale pour 1 000 habitants", "agents pour 1 000 hab",
          "agents / population × 1 000"),
)

"""Spending by public policy (M14 functions) and competences."""
from __future__ import annotations

from orleans_gov.base.vocabulaire import Terme, declarer

declarer(
    Terme("montant", "Montant", "k€", "dépenses réelles par fonction M14"),
    Terme("montant_eur_hab", "Dépense par habitant", "€/hab", "montant × 1 000 / population"),
    Terme("taux_integration", "Part de l'agglomération dans la dépense du bloc", "%",
          "dépense de l'agglomération / dépense du bloc (communes + agglomération) × 100"),
    Terme("indice_centralite", "Dépense d'Orléans par habitant / moyenne des autres communes", "indice",
          "charges de centralité : dépense par habitant de la ville-centre / celle des 21 autres communes × 100"),
)

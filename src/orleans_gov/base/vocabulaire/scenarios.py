"""Indicators of the multi-year projection (scenario engine, ``resultats.csv``)."""
from __future__ import annotations

from orleans_gov.base.vocabulaire import Terme, declarer

declarer(
    Terme("recettes_reelles_fonctionnement", "Recettes réelles de fonctionnement", "k€",
          "DGFiP « prod » (communes), « pftot » brut de la fiscalité reversée (agglomération)"),
    Terme("fiscalite", "Impôts locaux", "k€", "DGFiP « impo1 » (communes), « iltot » (agglomération)"),
    Terme("dotation_intercommunalite", "Dotation d'intercommunalité", "k€", "art. L.5211-28 à L.5211-33 CGCT"),
    Terme("autres_recettes", "Autres recettes de fonctionnement", "k€", "RRF − impôts locaux − DGF − AC − DSC"),
    Terme("autres_charges", "Autres charges de fonctionnement", "k€", "DRF hors intérêts − charges de personnel"),
    Terme("depenses_reelles_fonctionnement_hors_interets", "Dépenses réelles de fonctionnement hors intérêts", "k€",
          "RRF − épargne de gestion"),
    Terme("depenses_reelles_fonctionnement", "Dépenses réelles de fonctionnement", "k€", "intérêts compris"),
    Terme("remboursement_dette", "Remboursement en capital de la dette", "k€",
          "dette existante : profil de l'année de référence ; emprunts nouveaux : amortissement linéaire"),
    Terme("depenses_equipement", "Dépenses d'équipement", "k€", "programme d'équipement du scénario"),
    Terme("recettes_investissement", "Recettes d'investissement hors emprunt", "k€", "subventions reçues et FCTVA"),
    Terme("prelevement_fonds_roulement", "Prélèvement sur le fonds de roulement", "k€", "hypothèse du scénario"),
    Terme("emprunt", "Emprunt d'équilibre", "k€",
          "besoin de financement de l'investissement non couvert par l'épargne nette et les recettes propres"),
    Terme("variation_fonds_roulement", "Excédent affecté au fonds de roulement", "k€",
          "ressources de l'année au-delà du besoin de financement"),
    Terme("etp", "Effectifs", "ETP", "équivalents temps plein"),
)

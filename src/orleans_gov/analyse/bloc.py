"""The consolidated « bloc communal » (DESIGN.md §3.2): the 22 communes and the agglomeration as one fiscal block,
the flows between them (attributions de compensation, DSC) removed once."""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from orleans_gov.analyse.colonnes import numerique
from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.provenance import EXEMPLE, REEL
from orleans_gov.base.territoire import CODES_INSEE

INDICATEURS_BLOC: dict[str, tuple[str, str, bool]] = {
    # indicateur: (champ communes, champ GFP, affecté par les flux internes AC + DSC)
    "rrf": ("prod", "pftot", True),
    "drf": ("charge", "cftot", False),
    "personnel": ("perso", "perstot", False),
    "impots_directs": ("impo1", "iltot", False),
    "dgf": ("dgf", "dgftot", False),
    "epargne_brute": ("caf", "caftot", True),
    "epargne_nette": ("cafn", "cafntot", True),
    "equipement": ("equip", "detot", False),
    "encours_dette": ("dette", "entot", False),
}


def bloc_communal(finances_communes: pd.DataFrame, finances_agglo: pd.DataFrame,
                  flux: pd.DataFrame | None = None, indicateurs: Iterable[str] | None = None,
                  tolerance_keur: float = 1.0,
                  communes_attendues: Iterable[str] | None = CODES_INSEE) -> pd.DataFrame:
    """Consolidated « bloc communal » (22 communes + agglomeration) per year, flows between them removed (DESIGN §3.2).

    Internal flows F = attributions de compensation + DSC paid by the agglomeration to its communes: from the
    ``flux_agglo_communes`` table (Σ ``attribution_compensation`` + ``dsc`` of the year) when ``flux`` is given,
    else F = − ``revtot`` of the GFP file. F is a receipt of the communes (inside their ``prod``, chapter 73, and
    therefore inside their ``caf`` / ``cafn``) and, for the agglomeration, a reversement recorded as the negative
    ``revtot`` inside its products (``pftot``, hence ``caftot`` / ``cafntot``).

    Exact rule, for RRF and épargnes (flow-affected indicators):

    - communes (own resources, before transfers) = Σ communes field − F;
    - agglomération (gross, before reversement) = GFP field − ``revtot`` (= field + F);
    - bloc = communes + agglomération = Σ communes field + GFP field − ``revtot`` − F. The naive sum of the gross
      amounts counts the flows twice (received by the communes, collected by the agglomeration): consolidation
      subtracts them **once**. When F = − ``revtot`` this equals Σ communes field + GFP field.

    DRF, personnel, impôts locaux, DGF, équipement and dette are not affected (AC/DSC are neither in ``charge`` of the
    communes nor in ``cftot``): bloc = Σ communes + agglomeration. Caveats: the GFP file consolidates the budgets
    annexes, the communes' file only the budget principal.

    Sums over communes are strict (one missing value → NaN); ``nb_communes`` gives the communes present that year
    and, when one of ``communes_attendues`` (default: the 22 communes of the perimeter; None = no check) has no
    account that year, the communes' and the bloc's values are NaN and ``communes_manquantes`` names them (a partial
    sum would silently count the missing commune as 0).
    ``ecart_flux_revtot_keur`` = F (table) + ``revtot`` checks the two sources agree (NaN without the flows table);
    beyond ``tolerance_keur`` it is reported in ``attrs['ecarts_flux']`` (one record per year: ``an``,
    ``flux_keur``, ``revtot_keur``, ``ecart_keur``; not silently fixed).

    Returns a long frame: ``an``, ``indicateur`` (vocabulary name), ``communes_keur``, ``agglomeration_keur``,
    ``flux_internes_keur``, ``bloc_keur``, ``population`` (Σ ``pop1`` of the communes), ``bloc_eur_hab``,
    ``part_communes_pct``, ``part_agglomeration_pct``, ``nb_communes``, ``ecart_flux_revtot_keur``,
    ``affecte_par_flux`` (the indicator contains the AC/DSC flows), ``provenance``.
    """
    indicateurs = list(indicateurs) if indicateurs is not None else list(INDICATEURS_BLOC)
    src_c = str(finances_communes.attrs.get("fichier", "finances_communes"))
    src_a = str(finances_agglo.attrs.get("fichier", "finances_agglo"))
    for ind in indicateurs:
        if ind not in INDICATEURS_BLOC:
            raise ValueError(f"indicateur du bloc inconnu : {ind!r} (attendu : {', '.join(INDICATEURS_BLOC)})")
    ann_c = set(finances_communes["an"].astype(int))
    ann_a = set(finances_agglo["an"].astype(int))
    annees = sorted(ann_c | ann_a)
    flux_an: dict[int, float] = {}
    if flux is not None:
        for c in ("an", "attribution_compensation", "dsc"):
            if c not in flux.columns:
                raise ErreurDonnees("colonne obligatoire absente", fichier="flux_agglo_communes", colonne=c)
        f = flux.assign(_f=flux["attribution_compensation"].astype("float64") + flux["dsc"].astype("float64"))
        flux_an = {int(a): g["_f"].sum(min_count=1, skipna=False) for a, g in f.groupby("an")}
    rows = []
    ecarts_flux = []
    for an in annees:
        c = finances_communes[finances_communes["an"] == an]
        presentes = set(c["code_insee"].astype(str)) if "code_insee" in c else set()
        manquantes = sorted(set(communes_attendues) - presentes) if communes_attendues is not None else []
        a = finances_agglo[finances_agglo["an"] == an]
        if len(a) > 1:
            raise ErreurDonnees(f"plusieurs lignes de l'agglomération pour {an}", fichier=src_a, colonne="an", valeur=an)
        revtot = float(numerique(a, "revtot", src_a).iloc[0]) if len(a) else np.nan
        if flux is not None:
            F = float(flux_an.get(an, np.nan))
            ecart = F + revtot
            if pd.notna(ecart) and abs(ecart) > tolerance_keur:
                ecarts_flux.append({"an": int(an), "flux_keur": F, "revtot_keur": revtot, "ecart_keur": ecart})
        else:
            F = -revtot
            ecart = np.nan
        pop = numerique(c, "pop1", src_c).sum(min_count=1, skipna=False) if len(c) and not manquantes else np.nan
        prov = set(c.get("provenance", pd.Series(dtype="string")).dropna()) | set(a.get("provenance", pd.Series(dtype="string")).dropna())
        provenance = EXEMPLE if EXEMPLE in prov else (REEL if prov else pd.NA)
        for ind in indicateurs:
            cc, ca, affecte = INDICATEURS_BLOC[ind]
            som_c = numerique(c, cc, src_c).sum(min_count=1, skipna=False) if len(c) and not manquantes else np.nan
            val_a = float(numerique(a, ca, src_a).iloc[0]) if len(a) else np.nan
            if affecte:
                communes = som_c - F
                agglo = val_a - revtot
                flux_int = F
            else:
                communes, agglo, flux_int = som_c, val_a, np.nan
            bloc = communes + agglo
            rows.append({
                "an": int(an), "indicateur": ind,
                "communes_keur": communes, "agglomeration_keur": agglo, "flux_internes_keur": flux_int,
                "bloc_keur": bloc, "population": pop,
                "bloc_eur_hab": bloc * 1000.0 / pop if pd.notna(pop) and pop > 0 else np.nan,
                "part_communes_pct": communes / bloc * 100.0 if pd.notna(bloc) and bloc > 0 else np.nan,
                "part_agglomeration_pct": agglo / bloc * 100.0 if pd.notna(bloc) and bloc > 0 else np.nan,
                "nb_communes": int(c["code_insee"].nunique()) if "code_insee" in c else len(c),
                "communes_manquantes": ", ".join(manquantes),
                "ecart_flux_revtot_keur": ecart, "affecte_par_flux": affecte, "provenance": provenance,
            })
    out = pd.DataFrame(rows)
    out.attrs["ecarts_flux"] = ecarts_flux
    out.attrs["definition"] = ("Bloc communal = Σ communes + agglomération ; recettes et épargnes : flux internes "
                               "(AC + DSC) retranchés une fois ; parts calculées avant reversement (communes hors "
                               "AC/DSC reçues, agglomération avant fiscalité reversée).")
    return out

"""Reference data for the shared taxonomy (plain constants, no Django imports).

Seeded into the database by ``alliance/migrations/0002_seed_taxonomy.py``
through `seed_taxonomy`, which takes the model classes so that the migration
can pass its historical models.

Regions and provinces follow ISTAT's classification of the territorial units
as it stood in 2024: 20 regions and 107 supra-municipal units (provinces,
metropolitan cities, free municipal consortia of Sicily, the autonomous
provinces of Bolzano and Trento, the regional decentralisation bodies (EDR)
of Friuli-Venezia Giulia, the Aosta Valley and the five Sardinian units).
"""

# (istat_code, name_it, name_en, slug)
REGIONS = [
    ("01", "Piemonte", "Piedmont", "piemonte"),
    ("02", "Valle d'Aosta/Vallée d'Aoste", "Aosta Valley", "valle-daosta"),
    ("03", "Lombardia", "Lombardy", "lombardia"),
    ("04", "Trentino-Alto Adige/Südtirol", "Trentino-South Tyrol", "trentino-alto-adige"),
    ("05", "Veneto", "Veneto", "veneto"),
    ("06", "Friuli-Venezia Giulia", "Friuli-Venezia Giulia", "friuli-venezia-giulia"),
    ("07", "Liguria", "Liguria", "liguria"),
    ("08", "Emilia-Romagna", "Emilia-Romagna", "emilia-romagna"),
    ("09", "Toscana", "Tuscany", "toscana"),
    ("10", "Umbria", "Umbria", "umbria"),
    ("11", "Marche", "Marche", "marche"),
    ("12", "Lazio", "Lazio", "lazio"),
    ("13", "Abruzzo", "Abruzzo", "abruzzo"),
    ("14", "Molise", "Molise", "molise"),
    ("15", "Campania", "Campania", "campania"),
    ("16", "Puglia", "Apulia", "puglia"),
    ("17", "Basilicata", "Basilicata", "basilicata"),
    ("18", "Calabria", "Calabria", "calabria"),
    ("19", "Sicilia", "Sicily", "sicilia"),
    ("20", "Sardegna", "Sardinia", "sardegna"),
]

# (istat_code, abbreviation, name, region_istat_code)
PROVINCES = [
    # 01 Piemonte (8)
    ("001", "TO", "Torino", "01"),
    ("002", "VC", "Vercelli", "01"),
    ("003", "NO", "Novara", "01"),
    ("004", "CN", "Cuneo", "01"),
    ("005", "AT", "Asti", "01"),
    ("006", "AL", "Alessandria", "01"),
    ("096", "BI", "Biella", "01"),
    ("103", "VB", "Verbano-Cusio-Ossola", "01"),
    # 02 Valle d'Aosta (1)
    ("007", "AO", "Aosta", "02"),
    # 03 Lombardia (12)
    ("012", "VA", "Varese", "03"),
    ("013", "CO", "Como", "03"),
    ("014", "SO", "Sondrio", "03"),
    ("015", "MI", "Milano", "03"),
    ("016", "BG", "Bergamo", "03"),
    ("017", "BS", "Brescia", "03"),
    ("018", "PV", "Pavia", "03"),
    ("019", "CR", "Cremona", "03"),
    ("020", "MN", "Mantova", "03"),
    ("097", "LC", "Lecco", "03"),
    ("098", "LO", "Lodi", "03"),
    ("108", "MB", "Monza e della Brianza", "03"),
    # 04 Trentino-Alto Adige (2)
    ("021", "BZ", "Bolzano/Bozen", "04"),
    ("022", "TN", "Trento", "04"),
    # 05 Veneto (7)
    ("023", "VR", "Verona", "05"),
    ("024", "VI", "Vicenza", "05"),
    ("025", "BL", "Belluno", "05"),
    ("026", "TV", "Treviso", "05"),
    ("027", "VE", "Venezia", "05"),
    ("028", "PD", "Padova", "05"),
    ("029", "RO", "Rovigo", "05"),
    # 06 Friuli-Venezia Giulia (4)
    ("030", "UD", "Udine", "06"),
    ("031", "GO", "Gorizia", "06"),
    ("032", "TS", "Trieste", "06"),
    ("093", "PN", "Pordenone", "06"),
    # 07 Liguria (4)
    ("008", "IM", "Imperia", "07"),
    ("009", "SV", "Savona", "07"),
    ("010", "GE", "Genova", "07"),
    ("011", "SP", "La Spezia", "07"),
    # 08 Emilia-Romagna (9)
    ("033", "PC", "Piacenza", "08"),
    ("034", "PR", "Parma", "08"),
    ("035", "RE", "Reggio nell'Emilia", "08"),
    ("036", "MO", "Modena", "08"),
    ("037", "BO", "Bologna", "08"),
    ("038", "FE", "Ferrara", "08"),
    ("039", "RA", "Ravenna", "08"),
    ("040", "FC", "Forlì-Cesena", "08"),
    ("099", "RN", "Rimini", "08"),
    # 09 Toscana (10)
    ("045", "MS", "Massa-Carrara", "09"),
    ("046", "LU", "Lucca", "09"),
    ("047", "PT", "Pistoia", "09"),
    ("048", "FI", "Firenze", "09"),
    ("049", "LI", "Livorno", "09"),
    ("050", "PI", "Pisa", "09"),
    ("051", "AR", "Arezzo", "09"),
    ("052", "SI", "Siena", "09"),
    ("053", "GR", "Grosseto", "09"),
    ("100", "PO", "Prato", "09"),
    # 10 Umbria (2)
    ("054", "PG", "Perugia", "10"),
    ("055", "TR", "Terni", "10"),
    # 11 Marche (5)
    ("041", "PU", "Pesaro e Urbino", "11"),
    ("042", "AN", "Ancona", "11"),
    ("043", "MC", "Macerata", "11"),
    ("044", "AP", "Ascoli Piceno", "11"),
    ("109", "FM", "Fermo", "11"),
    # 12 Lazio (5)
    ("056", "VT", "Viterbo", "12"),
    ("057", "RI", "Rieti", "12"),
    ("058", "RM", "Roma", "12"),
    ("059", "LT", "Latina", "12"),
    ("060", "FR", "Frosinone", "12"),
    # 13 Abruzzo (4)
    ("066", "AQ", "L'Aquila", "13"),
    ("067", "TE", "Teramo", "13"),
    ("068", "PE", "Pescara", "13"),
    ("069", "CH", "Chieti", "13"),
    # 14 Molise (2)
    ("070", "CB", "Campobasso", "14"),
    ("094", "IS", "Isernia", "14"),
    # 15 Campania (5)
    ("061", "CE", "Caserta", "15"),
    ("062", "BN", "Benevento", "15"),
    ("063", "NA", "Napoli", "15"),
    ("064", "AV", "Avellino", "15"),
    ("065", "SA", "Salerno", "15"),
    # 16 Puglia (6)
    ("071", "FG", "Foggia", "16"),
    ("072", "BA", "Bari", "16"),
    ("073", "TA", "Taranto", "16"),
    ("074", "BR", "Brindisi", "16"),
    ("075", "LE", "Lecce", "16"),
    ("110", "BT", "Barletta-Andria-Trani", "16"),
    # 17 Basilicata (2)
    ("076", "PZ", "Potenza", "17"),
    ("077", "MT", "Matera", "17"),
    # 18 Calabria (5)
    ("078", "CS", "Cosenza", "18"),
    ("079", "CZ", "Catanzaro", "18"),
    ("080", "RC", "Reggio di Calabria", "18"),
    ("101", "KR", "Crotone", "18"),
    ("102", "VV", "Vibo Valentia", "18"),
    # 19 Sicilia (9)
    ("081", "TP", "Trapani", "19"),
    ("082", "PA", "Palermo", "19"),
    ("083", "ME", "Messina", "19"),
    ("084", "AG", "Agrigento", "19"),
    ("085", "CL", "Caltanissetta", "19"),
    ("086", "EN", "Enna", "19"),
    ("087", "CT", "Catania", "19"),
    ("088", "RG", "Ragusa", "19"),
    ("089", "SR", "Siracusa", "19"),
    # 20 Sardegna (5)
    ("090", "SS", "Sassari", "20"),
    ("091", "NU", "Nuoro", "20"),
    ("092", "CA", "Cagliari", "20"),
    ("095", "OR", "Oristano", "20"),
    ("111", "SU", "Sud Sardegna", "20"),
]

# (slug, name_it, name_en, position)
THEMES = [
    ("rigenerazione-beni-comuni", "Rigenerazione dei beni comuni", "Regeneration of the commons", 1),
    (
        "sussidiarieta-circolare",
        "Sussidiarietà circolare e attivismo civico",
        "Circular subsidiarity and civic activism",
        2,
    ),
    ("welfare-territoriale-generativo", "Welfare territoriale generativo", "Generative local welfare", 3),
    ("inserimento-lavorativo", "Inserimento e attivazione lavorativa", "Work inclusion and activation", 4),
    ("reti-filiere-valore", "Reti e filiere di valore", "Value networks and supply chains", 5),
    (
        "lotta-nuove-poverta",
        "Lotta alle nuove povertà e alle disuguaglianze",
        "Fighting new poverty and inequality",
        6,
    ),
]

# slug -> one-sentence Italian description
THEME_DESCRIPTIONS = {
    "rigenerazione-beni-comuni": (
        "Restituire alla comunità spazi, edifici e risorse dismesse o sottoutilizzate, "
        "curandoli insieme come beni di tutti."
    ),
    "sussidiarieta-circolare": (
        "Far collaborare cittadini, enti del terzo settore, imprese e istituzioni pubbliche "
        "nella co-programmazione e co-progettazione delle risposte ai bisogni collettivi."
    ),
    "welfare-territoriale-generativo": (
        "Costruire servizi di prossimità che attivino le risorse delle persone e delle comunità "
        "locali invece di limitarsi a erogare prestazioni."
    ),
    "inserimento-lavorativo": (
        "Accompagnare verso un lavoro dignitoso le persone fragili o svantaggiate attraverso "
        "formazione, tirocini e percorsi personalizzati."
    ),
    "reti-filiere-valore": (
        "Connettere organizzazioni e imprese in reti e filiere che generino valore economico "
        "e sociale condiviso sul territorio."
    ),
    "lotta-nuove-poverta": (
        "Contrastare le nuove forme di povertà e di disuguaglianza, da quella abitativa a quella "
        "educativa ed energetica, con interventi integrati e tempestivi."
    ),
}

# slug -> the same in English (written for the portal; migration 0009 holds its own copy)
THEME_DESCRIPTIONS_EN = {
    "rigenerazione-beni-comuni": (
        "Giving back to the community spaces, buildings and resources left unused or underused, "
        "and looking after them together as everyone's goods."
    ),
    "sussidiarieta-circolare": (
        "Bringing citizens, third-sector organizations, businesses and public institutions to plan "
        "and design together the answers to shared needs."
    ),
    "welfare-territoriale-generativo": (
        "Building local services that draw on the resources of people and communities "
        "instead of only delivering benefits."
    ),
    "inserimento-lavorativo": (
        "Guiding vulnerable or disadvantaged people towards decent work through training, "
        "traineeships and personal pathways."
    ),
    "reti-filiere-valore": (
        "Connecting organizations and businesses in networks and supply chains that create "
        "economic and social value shared by the territory."
    ),
    "lotta-nuove-poverta": (
        "Countering the new forms of poverty and inequality, from housing to education and energy, "
        "with joined-up and timely action."
    ),
}


def seed_taxonomy(*, theme_model, region_model, province_model):
    """Create or update the themes, regions and provinces above; safe to run again."""
    # Migration 0002 passes the model as it was then, before the English description (0009).
    has_english = any(field.name == "description_en" for field in theme_model._meta.get_fields())
    for slug, name_it, name_en, position in THEMES:
        defaults = {
            "name": name_it,
            "name_en": name_en,
            "position": position,
            "description": THEME_DESCRIPTIONS.get(slug, ""),
        }
        if has_english:
            defaults["description_en"] = THEME_DESCRIPTIONS_EN.get(slug, "")
        theme_model.objects.update_or_create(slug=slug, defaults=defaults)
    regions = {}
    for code, name_it, name_en, slug in REGIONS:
        regions[code], _created = region_model.objects.update_or_create(
            code=code, defaults={"name": name_it, "name_en": name_en, "slug": slug}
        )
    for code, abbreviation, name, region_code in PROVINCES:
        province_model.objects.update_or_create(
            code=code, defaults={"abbreviation": abbreviation, "name": name, "region": regions[region_code]}
        )

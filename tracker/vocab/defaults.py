"""The vocabularies every installation starts with (DESIGN.md); seeded by a migration."""

# (vocabulary, code, English label, Korean label)
DEFAULT_TERMS: list[tuple[str, str, str, str]] = [
    ("facility_kind", "prison", "Prison", "교도소"),
    ("facility_kind", "detention_centre", "Detention centre", "구류장"),
    ("facility_kind", "border_post", "Border post", "국경 초소"),
    ("facility_kind", "labour_camp", "Labour camp", "노동교화소"),
    ("facility_kind", "other", "Other", "기타"),
    ("source_kind", "interview", "Interview", "면담"),
    ("source_kind", "ngo_report", "NGO report", "NGO 보고서"),
    ("source_kind", "media", "Media", "언론 보도"),
    ("source_kind", "satellite_imagery", "Satellite imagery", "위성 영상"),
    ("source_kind", "official_statement", "Official statement", "공식 발표"),
    ("source_kind", "relative", "Relative", "가족"),
    ("source_kind", "other", "Other", "기타"),
    ("gender", "female", "Female", "여성"),
    ("gender", "male", "Male", "남성"),
    ("gender", "other", "Other", "기타"),
    ("gender", "unknown", "Unknown", "미상"),
    ("status", "detained", "Detained", "구금"),
    ("status", "repatriated", "Repatriated", "강제송환"),
    ("status", "vanished", "Vanished", "행방불명"),
    ("status", "detained_in_nk", "Detained in North Korea", "북한 내 구금"),
    ("status", "released", "Released", "석방"),
    ("status", "resettled", "Resettled", "정착"),
    ("status", "deceased", "Deceased", "사망"),
    ("status", "unknown", "Unknown", "미상"),
]

VOCABULARIES = sorted({term[0] for term in DEFAULT_TERMS})

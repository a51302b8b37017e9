"""The input model: layers, their geometry, columns, types and enumerations.

This module is the single description of what an input must contain. The reader
(:mod:`tc8.io.read`), the validator (:mod:`tc8.validate.run`), the template writer and the
synthetic generators all take their column lists from here.

Column kinds:

``str``    free text, normalised to Unicode NFC on read.
``code``   an identifier kept as text (``"24784"``, never ``24784.0``).
``int``    whole number (counts of people, households, dossiers...).
``float``  real number (hours, metres...).
``bool``   yes/no; accepted spellings are in :data:`TRUE_WORDS` / :data:`FALSE_WORDS`.
``enum``   one value of a closed list (:attr:`Column.values`).

A ``str`` column with ``url_or_bool`` answers a "does it have X" question in words or by
naming X: a yes/no word, or a web address such as ``https://xa.lamdong.gov.vn`` or
``xaabc.gov.vn`` (yes). Anything else is refused (:mod:`tc8.validate.columns`).

Numbers in text cells (CSV, text fields) may use ``.``, ``,`` or a space to group thousands
and ``,`` or ``.`` as the decimal mark; the reading rules and what is refused as ambiguous
are in :func:`tc8.validate.columns.read_number`.
"""
from __future__ import annotations

from dataclasses import dataclass

from .vocab import BASIS_ORDER, EVIDENCE_ORDER  # noqa: F401 - evidence classes, basis tags: re-exported here

#: Yes/no words, lower case. They are matched ignoring case and runs of spaces; a spelling
#: typed without any accent (``khong co``) matches the accented word it folds to, unless that
#: bare spelling is in :data:`BARE_AMBIGUOUS`. No word (nor its bare form) is in both lists.
TRUE_WORDS = frozenset({"1", "true", "t", "yes", "y", "x", "present",
                        "có", "co", "đã có", "đạt", "dat", "đúng"})
FALSE_WORDS = frozenset({"0", "false", "f", "no", "n", "absent",
                         "không", "khong", "ko", "k", "không có", "chưa", "chưa có", "chưa đạt",
                         "không đạt", "sai", ""})
#: Bare spellings that could stand for words of opposite meaning: ``dung`` is ``đúng`` (true)
#: but also ``dừng`` (stopped), so it must be typed with its accents. ``none``, ``null``,
#: ``n/a`` are not in either list on purpose: they often mean "unknown" (leave the cell empty).
BARE_AMBIGUOUS = frozenset({"dung"})
#: The words quoted in the message for a value that is neither (the lists are longer).
TRUE_SHOWN = ("có", "đạt", "yes", "1")
FALSE_SHOWN = ("không", "chưa có", "no", "0")

POSTAL_KINDS = ("buu_cuc", "bdvhx", "dai_ly", "ki_ot", "thung_thu", "other")
MOBILE_TECHNOLOGIES = ("2G", "3G", "4G", "5G")
FIXED_TECHNOLOGIES = ("ftth", "adsl", "cable", "other")
COVERAGE_EVIDENCE = ("declared", "measured")
STATION_TYPES = ("wired", "fm", "ip")
SPEAKER_TYPES = ("wired", "fm", "ip")
TERRAINS = ("flat", "hilly", "mountainous")

#: Other spellings accepted for the choice values, per value list (Vietnamese names, usual
#: abbreviations). A cell is compared with the codes and these spellings ignoring case, spaces,
#: hyphens and underscores (``Ki-ốt`` = ``kiốt`` = ``ki_ot``); typed without accents or with other
#: accents it still matches when its accent-free form stands for one value only, and is refused
#: naming both values when it stands for two (:mod:`tc8.validate.choices`).
CHOICE_ALIASES: dict[tuple[str, ...], dict[str, tuple[str, ...]]] = {
    POSTAL_KINDS: {
        "buu_cuc": ("bưu cục", "bưu cục cấp 3"),
        "bdvhx": ("bđvhx", "điểm bđvhx", "bưu điện văn hoá xã", "bưu điện văn hóa xã", "bưu điện - văn hoá xã",
                  "điểm bưu điện văn hoá xã", "điểm bưu điện - văn hoá xã", "điểm bưu điện văn hóa xã"),
        "dai_ly": ("đại lý", "đại lý bưu điện", "đại lý bưu chính"),
        "ki_ot": ("ki-ốt", "kiốt", "ki-ốt bưu điện"),
        "thung_thu": ("thùng thư", "thùng thư công cộng", "hòm thư", "hòm thư công cộng"),
        "other": ("khác",),
    },
    TERRAINS: {
        "flat": ("đồng bằng",),
        "hilly": ("đồi", "trung du", "vùng đồi"),
        "mountainous": ("núi", "miền núi", "vùng núi", "vùng cao"),
    },
    MOBILE_TECHNOLOGIES: {"2G": ("gsm",), "3G": ("umts", "wcdma"), "4G": ("lte",), "5G": ("5g nr",)},
    FIXED_TECHNOLOGIES: {
        "ftth": ("cáp quang", "quang", "fiber", "fibre", "gpon"),
        "adsl": ("cáp đồng", "xdsl", "dsl"),
        "cable": ("cáp truyền hình", "truyền hình cáp", "hfc", "catv"),
        "other": ("khác",),
    },
    COVERAGE_EVIDENCE: {
        "declared": ("công bố", "doanh nghiệp công bố", "khai báo"),
        "measured": ("đo kiểm", "đo thực tế", "đo"),
    },
    STATION_TYPES: {  # also SPEAKER_TYPES (the same list)
        "wired": ("hữu tuyến", "có dây"),
        "fm": ("vô tuyến", "vô tuyến fm", "không dây"),
        "ip": ("ứng dụng cntt", "ứng dụng cntt - viễn thông", "cntt - viễn thông", "truyền thanh ip",
               "truyền thanh ứng dụng cntt"),
    },
}


@dataclass(frozen=True)
class Column:
    """One column of a layer.

    ``required`` columns must exist (values may still be empty where ``nullable``).
    """

    name: str
    kind: str
    required: bool = False
    nullable: bool = True
    values: tuple[str, ...] = ()
    unique: bool = False
    minimum: float | None = None
    maximum: float | None = None
    label_vi: str = ""
    label_en: str = ""
    #: ``str`` only: the text answers yes/no, by a yes/no word or a web address (see top).
    url_or_bool: bool = False


@dataclass(frozen=True)
class Layer:
    """One input layer. ``geometry`` is ``None`` for plain tables."""

    name: str
    geometry: tuple[str, ...] | None
    id_column: str
    columns: tuple[Column, ...]
    required: bool = False
    label_vi: str = ""
    label_en: str = ""
    #: point layers whose commune is found spatially; the code column (if any) is checked
    code_column: str | None = None

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def required_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)


POINT = ("Point",)
POLYGONAL = ("Polygon", "MultiPolygon")

C = Column  # short alias for the table below

LAYERS: dict[str, Layer] = {
    layer.name: layer
    for layer in (
        Layer(
            "communes", POLYGONAL, "commune_code", required=True,
            label_vi="Xã", label_en="Communes",
            columns=(
                # empty: a provisional id is derived from the row's data (tc8.validate.provisional)
                C("commune_code", "code", required=True, nullable=True, unique=True,
                  label_vi="Mã xã", label_en="Commune code"),
                C("commune_name", "str", required=True, nullable=False,
                  label_vi="Tên xã", label_en="Commune name"),
                C("province_code", "code", label_vi="Mã tỉnh", label_en="Province code"),
                C("province_name", "str", label_vi="Tỉnh", label_en="Province"),
                C("district_name", "str", label_vi="Huyện", label_en="District"),
                C("region", "code", label_vi="Vùng", label_en="Region"),
                C("commune_group", "code", label_vi="Nhóm xã", label_en="Commune group"),
                C("terrain", "enum", values=TERRAINS, label_vi="Địa hình", label_en="Terrain"),
                C("population", "int", minimum=0, label_vi="Dân số", label_en="Population"),
                C("area_km2", "float", minimum=0, label_vi="Diện tích (km²)", label_en="Area (km²)"),
                C("island", "bool", label_vi="Xã đảo", label_en="Island commune"),
                C("difficult", "bool", label_vi="Xã ĐBKK/ATK", label_en="Especially difficult / safe zone"),
                C("synthetic", "bool", label_vi="Dữ liệu giả lập", label_en="Synthetic"),
            ),
        ),
        Layer(
            "villages", POINT + POLYGONAL, "village_id", code_column="commune_code",
            label_vi="Thôn", label_en="Villages",
            columns=(
                C("village_id", "code", required=True, nullable=False, unique=True,
                  label_vi="Mã thôn", label_en="Village id"),
                # empty: the commune is found from the position (e.g. a commune without a code)
                C("commune_code", "code", required=True, nullable=True,
                  label_vi="Mã xã", label_en="Commune code"),
                C("village_name", "str", required=True, nullable=False,
                  label_vi="Tên thôn", label_en="Village name"),
                C("population", "int", minimum=0, label_vi="Dân số", label_en="Population"),
                C("households", "int", minimum=0, label_vi="Số hộ", label_en="Households"),
                C("fixed_phone", "bool", label_vi="Có điện thoại cố định (tự báo cáo)",
                  label_en="Fixed telephone (self-reported)"),
                C("fixed_broadband", "bool", label_vi="Có băng rộng cố định (tự báo cáo)",
                  label_en="Fixed broadband (self-reported)"),
                C("mobile_phone", "bool", label_vi="Có điện thoại di động (tự báo cáo)",
                  label_en="Mobile telephone (self-reported)"),
                C("mobile_broadband", "bool", label_vi="Có băng rộng di động (tự báo cáo)",
                  label_en="Mobile broadband (self-reported)"),
                C("synthetic", "bool", label_vi="Dữ liệu giả lập", label_en="Synthetic"),
            ),
        ),
        Layer(
            "postal_points", POINT, "point_id", code_column="commune_code",
            label_vi="Điểm phục vụ bưu chính", label_en="Postal service points",
            columns=(
                C("point_id", "code", required=True, nullable=False, unique=True,
                  label_vi="Mã điểm", label_en="Point id"),
                C("kind", "enum", required=True, nullable=False, values=POSTAL_KINDS,
                  label_vi="Loại điểm", label_en="Kind"),
                C("name", "str", label_vi="Tên điểm", label_en="Name"),
                C("commune_code", "code", label_vi="Mã xã", label_en="Commune code"),
                C("operator", "str", label_vi="Doanh nghiệp", label_en="Operator"),
                C("staffed", "bool", label_vi="Có người phục vụ", label_en="Staffed"),
                C("premises", "bool", label_vi="Có mặt bằng, trang thiết bị", label_en="Premises and equipment"),
                C("hours_per_day", "float", minimum=0, maximum=24,
                  label_vi="Giờ mở cửa/ngày làm việc", label_en="Opening hours per working day"),
                C("signboard", "bool", label_vi="Có biển tên", label_en="Name sign"),
                C("posted_hours", "bool", label_vi="Niêm yết giờ mở cửa, dịch vụ",
                  label_en="Hours and services posted"),
                C("letters_2kg", "bool", label_vi="Nhận gửi thư đến 2 kg", label_en="Letters up to 2 kg"),
                C("parcels_5kg", "bool", label_vi="Nhận gói, kiện đến 5 kg", label_en="Parcels up to 5 kg"),
                C("collections_per_day", "float", minimum=0,
                  label_vi="Số lần thu gom, phát/ngày", label_en="Collections per working day"),
                C("telecom_service", "bool", label_vi="Có dịch vụ viễn thông công cộng",
                  label_en="Public telecom service"),
                C("online_public_services", "bool", label_vi="Hỗ trợ dịch vụ công trực tuyến",
                  label_en="Supports online public services"),
                C("synthetic", "bool", label_vi="Dữ liệu giả lập", label_en="Synthetic"),
            ),
        ),
        Layer(
            "cell_sites", POINT, "site_id",
            label_vi="Trạm BTS", label_en="Cell sites",
            columns=(
                C("site_id", "code", required=True, nullable=False, unique=True,
                  label_vi="Mã trạm", label_en="Site id"),
                C("operator", "str", required=True, nullable=False, label_vi="Nhà mạng", label_en="Operator"),
                C("technology", "enum", required=True, nullable=False, values=MOBILE_TECHNOLOGIES,
                  label_vi="Công nghệ", label_en="Technology"),
                C("active", "bool", required=True, label_vi="Đang hoạt động", label_en="Active"),
                C("radius_m", "float", minimum=0, maximum=100_000,
                  label_vi="Bán kính phủ sóng (m)", label_en="Coverage radius (m)"),
                C("synthetic", "bool", label_vi="Dữ liệu giả lập", label_en="Synthetic"),
            ),
        ),
        Layer(
            "coverage", POLYGONAL, "coverage_id",
            label_vi="Vùng phủ sóng", label_en="Coverage areas",
            columns=(
                C("coverage_id", "code", required=True, nullable=False, unique=True,
                  label_vi="Mã vùng phủ", label_en="Coverage id"),
                C("operator", "str", required=True, nullable=False, label_vi="Nhà mạng", label_en="Operator"),
                C("technology", "enum", required=True, nullable=False, values=MOBILE_TECHNOLOGIES,
                  label_vi="Công nghệ", label_en="Technology"),
                C("evidence", "enum", required=True, nullable=False, values=COVERAGE_EVIDENCE,
                  label_vi="Loại minh chứng", label_en="Evidence"),
                C("source", "str", label_vi="Nguồn", label_en="Source"),
                C("synthetic", "bool", label_vi="Dữ liệu giả lập", label_en="Synthetic"),
            ),
        ),
        Layer(
            "fixed_access", POINT, "node_id",
            label_vi="Điểm truy nhập cố định", label_en="Fixed access nodes",
            columns=(
                C("node_id", "code", required=True, nullable=False, unique=True,
                  label_vi="Mã nút", label_en="Node id"),
                C("operator", "str", required=True, nullable=False, label_vi="Nhà mạng", label_en="Operator"),
                C("technology", "enum", required=True, nullable=False, values=FIXED_TECHNOLOGIES,
                  label_vi="Công nghệ", label_en="Technology"),
                C("reach_m", "float", required=True, nullable=False, minimum=0, maximum=50_000,
                  label_vi="Bán kính phục vụ (m)", label_en="Reach (m)"),
                C("voice", "bool", label_vi="Có điện thoại cố định", label_en="Offers fixed telephone"),
                C("synthetic", "bool", label_vi="Dữ liệu giả lập", label_en="Synthetic"),
            ),
        ),
        Layer(
            "radio_stations", POINT, "station_id", code_column="commune_code",
            label_vi="Đài truyền thanh xã", label_en="Commune radio stations",
            columns=(
                C("station_id", "code", required=True, nullable=False, unique=True,
                  label_vi="Mã đài", label_en="Station id"),
                C("commune_code", "code", label_vi="Mã xã", label_en="Commune code"),
                C("type", "enum", required=True, nullable=False, values=STATION_TYPES,
                  label_vi="Loại đài", label_en="Type"),
                C("operating", "bool", required=True, label_vi="Đang hoạt động", label_en="Operating"),
                C("compliant", "bool", label_vi="Thiết bị đạt quy chuẩn", label_en="Equipment compliant"),
                C("licensed", "bool", label_vi="Có giấy phép tần số", label_en="Frequency licence"),
                C("synthetic", "bool", label_vi="Dữ liệu giả lập", label_en="Synthetic"),
            ),
        ),
        Layer(
            "speakers", POINT, "cluster_id",
            label_vi="Cụm loa", label_en="Loudspeaker clusters",
            columns=(
                C("cluster_id", "code", required=True, nullable=False, unique=True,
                  label_vi="Mã cụm loa", label_en="Cluster id"),
                C("type", "enum", required=True, nullable=False, values=SPEAKER_TYPES,
                  label_vi="Loại", label_en="Type"),
                C("operating", "bool", required=True, label_vi="Đang hoạt động", label_en="Operating"),
                C("village_id", "code", label_vi="Mã thôn", label_en="Village id"),
                C("synthetic", "bool", label_vi="Dữ liệu giả lập", label_en="Synthetic"),
            ),
        ),
        Layer(
            "commune_it", None, "commune_code",
            label_vi="Ứng dụng CNTT của xã", label_en="Commune IT figures",
            columns=(
                C("commune_code", "code", required=True, nullable=False, unique=True,
                  label_vi="Mã xã", label_en="Commune code"),
                C("officials", "int", minimum=0, label_vi="Số cán bộ, công chức", label_en="Officials"),
                C("officials_with_computer", "int", minimum=0,
                  label_vi="Số CBCC sử dụng máy tính", label_en="Officials using a computer"),
                C("officials_using_eoffice", "int", minimum=0,
                  label_vi="Số CBCC dùng hệ thống QLVB/văn phòng điện tử",
                  label_en="Officials using e-office"),
                C("eoffice_system", "bool", label_vi="Có hệ thống QLVB và điều hành",
                  label_en="Document-management / e-office system in use"),
                C("website", "str", url_or_bool=True, label_vi="Cổng/trang thông tin điện tử",
                  label_en="Website"),
                C("dossiers_total", "int", minimum=0, label_vi="Tổng số hồ sơ TTHC",
                  label_en="Administrative dossiers"),
                C("dossiers_online", "int", minimum=0, label_vi="Số hồ sơ xử lý trực tuyến",
                  label_en="Dossiers processed online"),
                C("mobile_subscriptions", "int", minimum=0, label_vi="Số thuê bao di động",
                  label_en="Mobile subscriptions"),
                C("smartphone_subscriptions", "int", minimum=0, label_vi="Số thuê bao điện thoại thông minh",
                  label_en="Smartphone subscriptions"),
                C("working_age_population", "int", minimum=0, label_vi="Dân số trong độ tuổi lao động",
                  label_en="Working-age population"),
                C("public_wifi_points", "int", minimum=0, label_vi="Số điểm Wi-Fi công cộng miễn phí",
                  label_en="Free public Wi-Fi points"),
                C("synthetic", "bool", label_vi="Dữ liệu giả lập", label_en="Synthetic"),
            ),
        ),
    )
}


#: The input's layer metadata table (``tc8_layers``, a plain table written by ``tc8 template``;
#: optional): one row per layer saying whether it is complete, where it came from and a note.
#: ``complete`` = no declares the layer incomplete (not finding a record there is not evidence
#: that there is none); empty = the default (complete, unless its source names OpenStreetMap).
#: Not a layer of :data:`LAYERS`: it describes them (:mod:`tc8.validate.completeness`).
METADATA = Layer(
    "tc8_layers", None, "layer",
    label_vi="Thông tin các lớp dữ liệu", label_en="Layer metadata",
    columns=(
        C("layer", "code", required=True, nullable=False, unique=True, label_vi="Lớp", label_en="Layer"),
        C("complete", "bool", label_vi="Đầy đủ", label_en="Complete"),
        C("source", "str", label_vi="Nguồn", label_en="Source"),
        C("note", "str", label_vi="Ghi chú", label_en="Note"),
        C("code_year", "int", minimum=2024, maximum=2025, label_vi="Năm của mã xã",
          label_en="Year of the commune codes"),
    ),
)
#: The ``tc8_layers`` row whose ``code_year`` declares the year of the commune codes (2024: units
#: before 1 July 2025; 2025: after) — :mod:`tc8.validate.code_year`.
CODE_YEAR_ROW = "communes"
#: Layers that can be declared incomplete (every layer but the communes being assessed).
INCOMPLETE_CAPABLE = tuple(name for name in LAYERS if name != "communes")

"""Enumerations of the CRM domain; values are stable strings stored in the database."""

from enum import Enum


class ChannelType(str, Enum):
    AGENT = "agent"
    DIRECT_RETAILER = "direct_retailer"
    CHAIN_STORE = "chain_store"
    E_COMMERCE = "e_commerce"


class CooperationLevel(str, Enum):
    PROVINCIAL_AGENT = "provincial_agent"
    CITY_AGENT = "city_agent"
    DISTRICT_AGENT = "district_agent"
    RETAILER = "retailer"
    KEY_ACCOUNT = "key_account"
    ONLINE_FLAGSHIP = "online_flagship"


class StoreGrade(str, Enum):
    A = "A"
    B = "B"
    C = "C"


class DisplayStatus(str, Enum):
    FULL = "full"
    PARTIAL = "partial"
    NONE = "none"


class ProductCategory(str, Enum):
    AIR_CONDITIONER = "air_conditioner"
    WASHER = "washer"
    REFRIGERATOR = "refrigerator"
    WATER_HEATER = "water_heater"
    RANGE_HOOD = "range_hood"
    TV = "tv"


class Skill(str, Enum):
    """A technician certification; one per product family that needs hands-on work."""

    AIR_CONDITIONER = "air_conditioner"
    WASHER = "washer"
    REFRIGERATOR = "refrigerator"
    WATER_HEATER = "water_heater"
    RANGE_HOOD = "range_hood"
    TV = "tv"


class MemberTier(str, Enum):
    NORMAL = "normal"
    SILVER = "silver"
    GOLD = "gold"
    PLATINUM = "platinum"


class IncomeBand(str, Enum):
    LOW = "low"
    MIDDLE = "middle"
    UPPER_MIDDLE = "upper_middle"
    HIGH = "high"


class SpecialNeed(str, Enum):
    INFANT = "infant"
    ELDERLY = "elderly"
    PET = "pet"
    DISABILITY = "disability"


class WarrantyStatus(str, Enum):
    IN_WARRANTY = "in_warranty"
    EXPIRED = "expired"


class SalesOrderStatus(str, Enum):
    PLACED = "placed"
    APPROVED = "approved"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    SIGNED = "signed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class TargetOwner(str, Enum):
    DEALER = "dealer"
    STORE = "store"


class PeriodKind(str, Enum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class WorkOrderKind(str, Enum):
    INSTALL = "install"
    REPAIR = "repair"


class WorkOrderStatus(str, Enum):
    CREATED = "created"
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    EN_ROUTE = "en_route"
    CHECKED_IN = "checked_in"
    COMPLETED = "completed"
    RATED = "rated"
    CANCELLED = "cancelled"

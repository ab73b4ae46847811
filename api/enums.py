"""The domain enums, exposed to GraphQL once (strawberry registers each class a single time)."""

import strawberry

from schemas import enums

for _enum in (
    enums.ChannelType,
    enums.CooperationLevel,
    enums.StoreGrade,
    enums.DisplayStatus,
    enums.ProductCategory,
    enums.Skill,
    enums.MemberTier,
    enums.IncomeBand,
    enums.SpecialNeed,
    enums.WarrantyStatus,
    enums.SalesOrderStatus,
    enums.TargetOwner,
    enums.PeriodKind,
    enums.WorkOrderKind,
    enums.WorkOrderStatus,
):
    strawberry.enum(_enum)

//! The four resource tables. Children reference parents with RESTRICT so a
//! delete can never orphan rows behind the service's back; a task's assignee
//! is SET NULL because losing an agent only unassigns its tasks.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden)]
enum Agents {
    Table,
    Id,
    Did,
    Name,
    Status,
    Configuration,
    Metadata,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Goals {
    Table,
    Id,
    AgentId,
    Description,
    SuccessCriteria,
    Priority,
    Status,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Plans {
    Table,
    Id,
    GoalId,
    Description,
    Status,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Tasks {
    Table,
    Id,
    PlanId,
    AgentId,
    Description,
    TaskType,
    Status,
    InputData,
    OutputData,
    Error,
    Version,
    CreatedAt,
    UpdatedAt,
    StartedAt,
    CompletedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Agents::Table)
                    .col(pk_uuid(Agents::Id))
                    .col(string_len_uniq(Agents::Did, 400))
                    .col(string_len(Agents::Name, 200))
                    .col(string_len(Agents::Status, 16))
                    .col(json_binary(Agents::Configuration))
                    .col(json_binary(Agents::Metadata))
                    .col(integer(Agents::Version))
                    .col(timestamp_with_time_zone(Agents::CreatedAt))
                    .col(timestamp_with_time_zone(Agents::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Goals::Table)
                    .col(pk_uuid(Goals::Id))
                    .col(uuid(Goals::AgentId))
                    .col(text(Goals::Description))
                    .col(json_binary(Goals::SuccessCriteria))
                    .col(integer(Goals::Priority))
                    .col(string_len(Goals::Status, 16))
                    .col(integer(Goals::Version))
                    .col(timestamp_with_time_zone(Goals::CreatedAt))
                    .col(timestamp_with_time_zone(Goals::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_goals_agent")
                            .from(Goals::Table, Goals::AgentId)
                            .to(Agents::Table, Agents::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Plans::Table)
                    .col(pk_uuid(Plans::Id))
                    .col(uuid(Plans::GoalId))
                    .col(text(Plans::Description))
                    .col(string_len(Plans::Status, 16))
                    .col(integer(Plans::Version))
                    .col(timestamp_with_time_zone(Plans::CreatedAt))
                    .col(timestamp_with_time_zone(Plans::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_plans_goal")
                            .from(Plans::Table, Plans::GoalId)
                            .to(Goals::Table, Goals::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Tasks::Table)
                    .col(pk_uuid(Tasks::Id))
                    .col(uuid(Tasks::PlanId))
                    .col(uuid_null(Tasks::AgentId))
                    .col(text(Tasks::Description))
                    .col(string_len(Tasks::TaskType, 100))
                    .col(string_len(Tasks::Status, 16))
                    .col(json_binary(Tasks::InputData))
                    .col(json_binary_null(Tasks::OutputData))
                    .col(text_null(Tasks::Error))
                    .col(integer(Tasks::Version))
                    .col(timestamp_with_time_zone(Tasks::CreatedAt))
                    .col(timestamp_with_time_zone(Tasks::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Tasks::StartedAt))
                    .col(timestamp_with_time_zone_null(Tasks::CompletedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_tasks_plan")
                            .from(Tasks::Table, Tasks::PlanId)
                            .to(Plans::Table, Plans::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_tasks_agent")
                            .from(Tasks::Table, Tasks::AgentId)
                            .to(Agents::Table, Agents::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;

        // Every child connection is a keyset walk over (parent, id); these
        // indexes make each page a range scan.
        let indexes = [
            (
                "idx_goals_agent_id",
                Goals::Table.into_iden(),
                Goals::AgentId.into_iden(),
                Goals::Id.into_iden(),
            ),
            (
                "idx_plans_goal_id",
                Plans::Table.into_iden(),
                Plans::GoalId.into_iden(),
                Plans::Id.into_iden(),
            ),
            (
                "idx_tasks_plan_id",
                Tasks::Table.into_iden(),
                Tasks::PlanId.into_iden(),
                Tasks::Id.into_iden(),
            ),
            (
                "idx_tasks_agent_id",
                Tasks::Table.into_iden(),
                Tasks::AgentId.into_iden(),
                Tasks::Id.into_iden(),
            ),
        ];
        for (name, table, parent, id) in indexes {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(table)
                        .col(parent)
                        .col(id)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Tasks::Table.into_iden(),
            Plans::Table.into_iden(),
            Goals::Table.into_iden(),
            Agents::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

// The Microsoft 365 unified audit log: Search-UnifiedAuditLog / Purview CSV exports, JSON
// records and the Office 365 Management Activity API. Records arrive minutes to hours after
// the action (lagging), and name no lab host (not host-bound).
#include "telemetry/sources/builtin.h"

namespace attest::telemetry {

const SourceSpec& o365_source() {
    static const SourceSpec spec{
        .name = "o365",
        .datasets = {"o365.audit"},
        .description = "Microsoft 365 unified audit log",
        .host_bound = false,
        .lagging = true,
        .collectors = {"o365", "ndjson"},
        .live = {{Acquisition::O365Api, "o365", "", ""},
                 {Acquisition::ExportedFile, "o365", "", ""},
                 kFromElasticsearch},
        .endpoint_vocabulary = {},
        .fields = with_common_fields(
            kBaseFields,
            {"event.action", "event.category", "event.id", "event.module", "event.outcome",
             "event.provider", "event.type", "organization.id", "source.ip", "source.port",
             "user.domain", "user.email", "user.id", "user.name"},
            {
                {"o365.audit.Id", "keyword",
                 "Unique id of the audit record (deduplicates overlapping exports)."},
                {"o365.audit.RecordType", "keyword", "Audit record type (number or name)."},
                {"o365.audit.CreationTime", "keyword",
                 "When the action happened (UTC): the event @timestamp."},
                {"o365.audit.Operation", "keyword", "The operation: event.action."},
                {"o365.audit.OrganizationId", "keyword", "Tenant GUID."},
                {"o365.audit.UserType", "keyword",
                 "Kind of actor (0 regular, 2 admin, 4 system, ...)."},
                {"o365.audit.UserKey", "keyword", "Alternative id of the actor."},
                {"o365.audit.Workload", "keyword",
                 "Service that recorded it (Exchange, AzureActiveDirectory, SharePoint, ...)."},
                {"o365.audit.ResultStatus", "keyword", "Succeeded, Failed, True, False, ..."},
                {"o365.audit.ObjectId", "keyword",
                 "Object acted on (mailbox, rule, file URL, ...)."},
                {"o365.audit.UserId", "keyword", "UPN of the actor: user.id."},
                {"o365.audit.ClientIP", "keyword", "Client address, port appended at times."},
                {"o365.audit.ClientIPAddress", "keyword",
                 "Client address (Exchange mailbox audit)."},
                {"o365.audit.ClientInfoString", "keyword", "Client program (Exchange)."},
                {"o365.audit.ExternalAccess", "boolean",
                 "Whether the actor is outside the tenant."},
                {"o365.audit.Parameters.ForwardTo", "keyword",
                 "Forwarding address of an inbox rule."},
                {"o365.audit.Parameters.ForwardingSmtpAddress", "keyword",
                 "Mailbox forwarding address (Set-Mailbox)."},
                {"o365.audit.Parameters.Identity", "keyword", "Object the cmdlet changed."},
                {"o365.audit.Parameters.AccessRights", "keyword",
                 "Rights granted (Add-MailboxPermission)."},
                {"o365.audit.OperationProperties", "object",
                 "Operation properties, folded by Name like Parameters."},
                {"o365.audit.ExtendedProperties", "object",
                 "Extended properties (Azure AD), folded by Name."},
                {"o365.audit.ModifiedProperties", "object",
                 "Changed properties with OldValue / NewValue, folded by Name."},
                {"o365.audit.LogonType", "keyword", "Exchange mailbox logon type."},
                {"o365.audit.MailboxOwnerUPN", "keyword", "Owner of the mailbox acted on."},
                {"o365.audit.MailboxGuid", "keyword", "GUID of the mailbox."},
                {"o365.audit.SessionId", "keyword", "Client session id."},
                {"o365.audit.Actor", "object", "Actors (Azure AD): ID and Type."},
                {"o365.audit.Target", "object", "Targets (Azure AD): ID and Type."},
                {"o365.audit.AzureActiveDirectoryEventType", "keyword", "Azure AD event kind."},
                {"o365.audit.Folders", "object", "Folders and items accessed (MailItemsAccessed)."},
                {"o365.audit.OperationCount", "long", "Number of aggregated operations."},
            }),
    };
    return spec;
}

}  // namespace attest::telemetry

// Microsoft 365 unified audit log collector ("o365").
//
// Reads every export shape seen in practice (see shared/spec/telemetry.md):
// - JSON records: a JSON array (Management Activity API content blobs, ConvertTo-Json), NDJSON,
//   a single object or pretty-printed objects one after the other (JsonRecordReader);
// - `Search-UnifiedAuditLog | Export-Csv` (and the Purview portal export): the record is the
//   JSON in the `AuditData` column; an optional `#TYPE ...` first line (Windows PowerShell 5.1
//   without -NoTypeInformation) is skipped;
// - `Search-UnifiedAuditLog | ConvertTo-Json`: objects whose `AuditData` holds the record, dates
//   as "\/Date(ms)\/";
// - Sentinel `OfficeActivity` exports: nested fields (`Parameters`, ...) flattened into JSON
//   strings are parsed back; `TimeGenerated` / `OfficeWorkload` stand in for the missing
//   `CreationTime` / `Workload`.
//
// ECS mapping (shared/spec/ecs-mapping.md): @timestamp from CreationTime (UTC, no zone in the
// source), event.action = Operation, event.provider = Workload, event.outcome from ResultStatus,
// user.id = UserId (+ user.name / user.domain when it is an address), source.ip / source.port
// from ClientIP (IPv4:port, [IPv6]:port, bare IPv6), organization.id, event.dataset
// "o365.audit", o365.audit.* = the record with Parameters, OperationProperties,
// ExtendedProperties and ModifiedProperties folded into objects keyed by Name. No host.name.
//
// event.category / event.type by operation (classify_o365_operation), first match wins:
//   UserLoggedIn, UserLoginFailed, *Login*/*Logon*       authentication   start (info on failure)
//   MailItemsAccessed, FolderBind, MailboxLogin, Send*,   email            access
//     SearchQueryInitiatedExchange, Update/Create (items)
//   SoftDelete, HardDelete, MoveToDeletedItems            email            deletion
//   UpdateInboxRules, *-InboxRule, *-TransportRule        email+configuration  creation|change|deletion
//   *-Mailbox (Set-Mailbox forwarding), *-CASMailbox      email+configuration  change
//   *Permission*, *RoleGroup*, *RoleAssignment*, *Role*   iam+configuration    change|creation|deletion
//   Other Exchange cmdlets (Verb-Noun)                    configuration    by verb
//   Azure AD "Add user." / "Delete user." / "Update user." / "Reset user password." ...
//                                                         iam              user + creation|deletion|change
//   "Add member to role." / "... group."                  iam              group + change
//   "Add application." / "Consent to application." / "... policy."  configuration  creation|change
//   FileAccessed/FileDownloaded/FileModified/FileDeleted  file             access|change|deletion
//   anything else                                         (no category)    info
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/value.h"

namespace attest::o365 {

struct ClientAddress {
    std::string ip;
    std::optional<int> port;
};
// "1.2.3.4", "1.2.3.4:28491", "[2a09::1]:443", "2a09:bac1::1a:9c"; nullopt when not an address.
std::optional<ClientAddress> split_client_ip(std::string_view text);

struct Classification {
    std::vector<std::string_view> category;
    std::vector<std::string_view> type;
};
Classification classify_o365_operation(std::string_view operation, bool failed);

// "5/29/2023 12:29:35 PM" (en-US), "29.05.2023 12:29:35", "2023-05-29 12:29:35": ns since epoch.
std::optional<std::int64_t> parse_locale_datetime(std::string_view text);
// "/Date(1728364117000)/" (or with a +hhmm suffix): ns since epoch.
std::optional<std::int64_t> parse_ms_json_date(std::string_view text);

// Turns one audit record (an object) into an ECS event. Returns false with a reason when the
// record is not usable (no operation, no time).
bool normalize_o365_record(Value record, Event& out, std::string& error);

int sniff_o365(std::string_view head, std::string_view path);

}  // namespace attest::o365

// Microsoft Defender for Endpoint advanced hunting collector ("mde").
//
// Input shapes (read with JsonRecordReader, so arrays and NDJSON stream):
// - API results: {"Schema":[{"Name","Type"}...], "Results":[row, ...]}: one JSON object, read as
//   one record, so it must stay under the 16 MiB record bound (larger results: save as rows);
// - streaming export (Event Hub / storage): {"time", "category":"AdvancedHunting-<Table>",
//   "properties":{row}}, one per line, or wrapped in {"records":[...]};
// - plain rows: a JSON array of rows, NDJSON rows or one row.
//
// The table comes from the wrapper's category; for bare rows it is inferred: RemoteIP /
// RemotePort / RemoteUrl -> DeviceNetworkEvents; ActionType ImageLoaded -> DeviceImageLoadEvents;
// ActionType File* or PreviousFolderPath -> DeviceFileEvents; ActionType ProcessCreated or
// ProcessCommandLine -> DeviceProcessEvents; otherwise DeviceEvents.
//
// ECS, `endpoint` vocabulary (shared/spec/ecs-mapping.md): host.name = DeviceName, host.id =
// DeviceId; event.action from ActionType (FileCreated creation, FileModified overwrite,
// FileRenamed rename, FileDeleted deletion, ImageLoaded load, ConnectionSuccess /
// ConnectionAttempt / ConnectionFailed connection_attempted, ProcessCreated start; others kept
// as written); process.* from InitiatingProcess* (DeviceProcessEvents: the created process, with
// process.parent.* from InitiatingProcess*); process.entity_id = 16 hex digits of FNV-1a over
// DeviceId | pid | process creation time (ns when parseable, so "...Z" and "+00:00" agree),
// absent when the row has no creation time for that process (a bare pid is reused);
// file.path = FolderPath (it includes the file name), file.name / directory / extension;
// destination.ip / port, source.ip / port, url.original, network.transport; event.dataset
// "m365_defender.event"; mde.* = the row, mde.table = the table.
#pragma once

#include <string>
#include <string_view>

#include "core/value.h"

namespace attest::mde {

// Infers the advanced hunting table of a bare row (see above).
std::string infer_table(const Value& row);

// The `endpoint` event.action for an ActionType ("" when there is no mapping).
std::string_view endpoint_action(std::string_view action_type);

// Stable process id: 16 hex digits.
std::string process_entity_id(std::string_view device_id, const Value* pid,
                              const Value* creation_time);

// Normalizes one row of `table` (empty: infer). Returns false with a reason when unusable.
bool normalize_mde_row(Value row, std::string table, const Value* wrapper_time, Event& out,
                       std::string& error);

int sniff_mde(std::string_view head, std::string_view path);

}  // namespace attest::mde

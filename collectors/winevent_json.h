// Windows events in JSON envelopes (shared/spec/telemetry.md, "Formats seen in the wild").
//
// Every envelope is turned back into the WinEventRecord the XML reader would have produced and
// handed to the one WinEventNormalizer, so a Sysmon event read from EvtxECmd JSON, evtx_dump
// JSON, Get-WinEvent JSON, an OTRF file or a Sentinel export is the same ECS event as the one
// read from its XML. JsonWinEventCollector is the shared frame of those collectors: records
// from JsonRecordReader (UTF-8 or UTF-16, array, NDJSON or pretty-printed), parse errors
// reported at file:line:column, records converted by the subclass.
#pragma once

#include <deque>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "collectors/csv.h"
#include "collectors/json_stream.h"
#include "collectors/winevent.h"
#include "core/collector.h"
#include "core/text.h"

namespace attest {

// The Windows event JSON renderings (1a, 1b, 1c of the spec).
enum class WinJsonShape {
    None,
    EvtxECmd,     // xmltodict layout ("@Name", "#text") without @xmlns: lossy '&amp;' and ', '
    XmlToDict,    // the same layout from xmltodict itself (keeps @xmlns): no lossy quirks
    EvtxDump,     // Rust evtx_dump: "#attributes" (or "<Name>_attributes"), typed values
    GetWinEvent,  // Get-WinEvent | ConvertTo-Json: Id, ProviderName, Properties, Message
};
WinJsonShape winjson_shape(const Value& record);

// Fills `out` (cleared first) from one record of `shape`. False with `error` when the record is
// not a usable event (no event id, wrong layout).
bool winevent_from_json(const Value& record, WinJsonShape shape, WinEventRecord& out,
                        std::string& error);

// Data field names of a provider's template for (event id, version): Sysmon and PowerShell 4104.
// Properties of Get-WinEvent are positional; `count` picks the template version that has that
// many fields when the event's version is not listed. Empty when unknown.
std::vector<std::string_view> winevent_template(std::string_view provider, std::int64_t event_id,
                                                std::int64_t version, std::size_t count);

// "Name: value" lines of a rendered Sysmon message (the first line is the title), and the
// 4104 message ("Creating Scriptblock text (N of M):" ...). False when it is neither.
bool parse_rendered_message(std::string_view provider, std::int64_t event_id,
                            std::string_view message,
                            std::vector<std::pair<std::string, std::string>>& data);

// A JSON scalar as Windows' XML renderer would write it ("true", "1532", "" for null).
std::string json_scalar_text(const Value& v);

// Keywords as Windows writes them ("0x8000000000000000") from a hex string of any width or a
// (signed) number.
std::string windows_keywords(const Value* v);

// The same text, taken out of the value: a string is moved, not copied. For converters that
// read each member of a parsed record once.
std::string take_scalar_text(Value& v);

// Small shared pieces of the JSON collectors.
bool is_one_of(std::string_view key, std::initializer_list<std::string_view> names);

// Position of a name in a fixed list of names (string literals), or -1. A lookup compares the
// key only with the listed names of its length: for tests made on every member of every record
// (a format's envelope names), where a walk through the whole list was a hot path.
class NameIndex {
public:
    NameIndex(std::initializer_list<std::string_view> names);
    int find(std::string_view key) const {
        for (const auto& [name, index] :
             m_by_length[key.size() < kLengths ? key.size() : kLengths - 1])
            if (name == key) return index;
        return -1;
    }

private:
    static constexpr std::size_t kLengths = 32;  // longer names share the last bucket
    std::vector<std::pair<std::string_view, int>> m_by_length[kLengths];
};
std::optional<std::uint64_t> parse_decimal(std::string_view text);  // digits only, < 2^63

// The registry entry of a JSON collector class C(InputFile, const CollectorOptions&,
// DiagnosticSink&).
template <class C>
CollectorInfo json_collector_info(std::string name, std::string description,
                                  std::function<int(std::string_view, std::string_view)> sniff) {
    return CollectorInfo{std::move(name), std::move(description), std::move(sniff),
                         [](InputFile input, const CollectorOptions& options,
                            DiagnosticSink& sink) -> std::unique_ptr<Collector> {
                             return std::make_unique<C>(std::move(input), options, sink);
                         }};
}

// Base of the collectors that read JSON records and map them through WinEventNormalizer.
class JsonWinEventCollector : public Collector {
public:
    JsonWinEventCollector(InputFile input, const CollectorOptions& options, DiagnosticSink& sink,
                          std::string source_name);
    bool next(Event& out) final;

protected:
    // One parsed record: add() Windows records, emit() finished events, or return false with
    // `error` to skip it (reported at the record's position).
    virtual bool handle(Value& record, const JsonRecord& where, std::string& error) = 0;
    virtual void end() {}  // end of input: release what handle() held back

    // Reads the input as a CSV table instead (a header line, then one record a row; spreadsheet
    // exports of the same rows): each row reaches handle() as an object of its non-empty cells
    // keyed by the header's names with `rename` applied, and current_text() is the row's text.
    void read_csv(CsvTable::Rename rename);

    void add(WinEventRecord& record, std::uint64_t line);
    void emit(Event&& event);
    void warn(std::uint64_t line, std::string message);
    JsonRecordReader& reader() { return m_reader; }
    const CollectorOptions& options() const { return m_options; }
    const std::string& source_name() const { return m_source; }
    std::string_view current_text() const { return m_text; }
    std::string_view head() const { return m_input.head(); }  // for format decisions

private:
    void drain();
    bool read_one();
    bool read_csv_row();
    void dispatch(Value& value, const JsonRecord& where);

    InputFile m_input;
    CollectorOptions m_options;
    DiagnosticSink& m_sink;
    std::string m_source;
    JsonRecordReader m_reader;
    std::optional<CsvTable> m_csv;
    WinEventNormalizer m_normalizer;
    std::deque<Event> m_ready;
    std::string_view m_text;
    bool m_finished = false;
};

// First JSON record of a head (UTF-8 or UTF-16, array or not), parsed; null when there is none
// or it is cut off by the end of the head.
Value first_json_record(std::string_view head);

}  // namespace attest

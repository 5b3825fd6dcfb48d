import CallingTransport

/// `--verbose`: the library's debug log, as text on standard error (beside the events on
/// standard output), or with `--json` as `{"event": "log", …}` objects among the others.
struct OutputLogHandler: CallingLogHandler {
    let output: Output

    var minimumLevel: LogLevel { .debug }

    func log(_ record: LogRecord) {
        if output.json {
            output.emit(record.message, [
                "event": "log", "level": record.level.description, "source": record.source, "message": record.message,
                "metadata": record.metadata,
            ])
        } else {
            Output.error(record.description)
        }
    }
}

// SPDX-License-Identifier: MIT
#include "metrics.h"

#include <ClustrQt/master.h>

#include <QtCore/QJsonObject>
#include <QtCore/QMap>

#include <cmath>
#include <QtNetwork/QTcpSocket>

namespace {

// Longer than any usual scrape interval (Prometheus' default is 1 min):
// figures keep coming between scrapes, and stop a while after the last.
constexpr std::chrono::milliseconds ScrapeInterest{150000};

QByteArray label(const QString &value)
{
    // Prometheus label values: backslash, quote and newline escaped.
    QByteArray out = value.toUtf8();
    out.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    return out;
}

QByteArray number(double value)
{
    return QByteArray::number(value, 'g', 15);
}

class Exposition
{
public:
    void family(const char *name, const char *type, const char *help)
    {
        m_text += QByteArray("# HELP ") + name + ' ' + help + "\n# TYPE " + name + ' ' + type + '\n';
    }
    void sample(const char *name, const QList<QPair<const char *, QString>> &labels, double value)
    {
        m_text += name;
        if (!labels.isEmpty()) {
            m_text += '{';
            for (int i = 0; i < labels.size(); ++i)
                m_text += (i ? "," : "") + QByteArray(labels.at(i).first) + "=\"" + label(labels.at(i).second) + '"';
            m_text += '}';
        }
        m_text += ' ' + number(value) + '\n';
    }
    QByteArray text() const { return m_text; }

private:
    QByteArray m_text;
};

} // namespace

MetricsServer::MetricsServer(Clustr::Master *master, QObject *parent)
    : QTcpServer(parent)
    , m_master(master)
{
    connect(this, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *socket = nextPendingConnection())
            serve(socket);
    });
}

bool MetricsServer::listenOn(const QString &address, QString *error)
{
    QString host = QStringLiteral("127.0.0.1");
    QString portText = address;
    const int colon = address.lastIndexOf(QLatin1Char(':'));
    if (colon >= 0) {
        host = address.left(colon);
        portText = address.mid(colon + 1);
        if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
            host = host.mid(1, host.size() - 2);
    }
    bool ok = false;
    const int port = portText.toInt(&ok);
    const QHostAddress bindAddress(host == QLatin1String("localhost") ? QStringLiteral("127.0.0.1") : host);
    if (!ok || port < 0 || port > 65535 || bindAddress.isNull()) {
        *error = QStringLiteral("--metrics: expected HOST:PORT or PORT, e.g. 127.0.0.1:9464, not \"%1\"").arg(address);
        return false;
    }
    if (!listen(bindAddress, quint16(port))) {
        *error = QStringLiteral("--metrics: cannot listen on %1: %2").arg(address, errorString());
        return false;
    }
    return true;
}

void MetricsServer::serve(QTcpSocket *socket)
{
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
        const QByteArray request = socket->peek(8192);
        if (!request.contains("\r\n\r\n") && !request.contains("\n\n") && request.size() < 8192)
            return; // wait for the whole header
        socket->readAll();
        const QByteArray path = request.split(' ').value(1);
        QByteArray body;
        QByteArray status = "200 OK";
        if (request.startsWith("GET ") && (path == "/metrics" || path == "/")) {
            // A scrape is interest in figures: the cluster keeps sending
            // them while scrapes come (this one shows what came last).
            m_master->requestSamples(ScrapeInterest);
            body = render(m_master->status());
        } else {
            status = "404 Not Found";
            body = "try /metrics\n";
        }
        socket->write("HTTP/1.1 " + status + "\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: "
                      + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
        socket->disconnectFromHost();
    });
}

QByteArray MetricsServer::render(const Clustr::ClusterStatus &status)
{
    Exposition out;
    const Clustr::MasterInfo master = status.master();
    const QList<Clustr::ProcessStatus> processes = status.processes();
    const QString cluster = master.name();

    out.family("clustr_up", "gauge", "1 while the master runs.");
    out.sample("clustr_up", {{"cluster", cluster}}, 1);
    out.family("clustr_redis_connected", "gauge", "1 when the master's Redis connections are up.");
    out.sample("clustr_redis_connected", {{"cluster", cluster}}, master.redisConnected() ? 1 : 0);
    out.family("clustr_reloading", "gauge", "1 while a rolling reload runs.");
    out.sample("clustr_reloading", {{"cluster", cluster}}, master.state() == Clustr::MasterInfo::State::Reloading ? 1 : 0);
    out.family("clustr_reloads_total", "counter", "Rolling reloads completed.");
    out.sample("clustr_reloads_total", {{"cluster", cluster}}, master.reloadCount());
    out.family("clustr_last_reload_duration_seconds", "gauge", "Duration of the last completed reload.");
    out.sample("clustr_last_reload_duration_seconds", {{"cluster", cluster}}, double(master.lastReloadMs()) / 1000.0);

    out.family("clustr_workers", "gauge", "Registered workers per group.");
    const Clustr::ClusterInfo info = status.clusterInfo();
    for (auto it = info.cbegin(); it != info.cend(); ++it)
        out.sample("clustr_workers", {{"cluster", cluster}, {"group", it.key()}}, double(it.value().size()));

    // Per-process series are labelled by slot (group and instance), not pid:
    // a restart continues the series instead of starting a new one. The pid
    // is in clustr_process_info. While a reload replaces a worker, old and
    // new share the slot: the newer one is shown.
    QMap<QPair<QString, QString>, Clustr::ProcessStatus> bySlot;
    for (const Clustr::ProcessStatus &p : processes) {
        const QString instance = p.instance().isEmpty() ? QStringLiteral("pid-%1").arg(p.pid()) : p.instance();
        const auto key = qMakePair(p.group(), instance);
        const auto found = bySlot.constFind(key);
        if (found == bySlot.cend() || (p.uptimeMs() >= 0 && (found->uptimeMs() < 0 || p.uptimeMs() < found->uptimeMs())))
            bySlot.insert(key, p);
    }
    using Labels = QList<QPair<const char *, QString>>;
    auto slotLabels = [&cluster](const QPair<QString, QString> &slot) {
        return Labels{{"cluster", cluster}, {"group", slot.first}, {"instance", slot.second}};
    };
    out.family("clustr_process_info", "gauge", "1 for each process of the cluster: its slot (group, instance), pid and host.");
    for (auto it = bySlot.cbegin(); it != bySlot.cend(); ++it)
        out.sample("clustr_process_info", slotLabels(it.key()) + Labels{{"pid", QString::number(it->pid())}, {"host", it->host()}}, 1);
    out.family("clustr_process_restarts_total", "counter", "Restarts of a process' slot, as its parent counts them.");
    for (auto it = bySlot.cbegin(); it != bySlot.cend(); ++it)
        out.sample("clustr_process_restarts_total", slotLabels(it.key()), it->restarts());
    out.family("clustr_process_resident_memory_bytes", "gauge", "Resident memory of a process.");
    for (auto it = bySlot.cbegin(); it != bySlot.cend(); ++it) {
        if (it->heartbeat() && it->rssBytes() >= 0)
            out.sample("clustr_process_resident_memory_bytes", slotLabels(it.key()), double(it->rssBytes()));
    }
    out.family("clustr_process_cpu_percent", "gauge", "CPU use of a process in percent of one CPU.");
    for (auto it = bySlot.cbegin(); it != bySlot.cend(); ++it) {
        if (it->heartbeat() && !std::isnan(it->cpuPercent()))
            out.sample("clustr_process_cpu_percent", slotLabels(it.key()), it->cpuPercent());
    }
    // One sample per log file: a surge replacement shares its count with the
    // worker it replaces, so children of one group and instance are one series.
    out.family("clustr_child_dropped_output_lines_total", "counter",
               "Lines a child of the master printed that could not be written (a full disk, a file-size limit).");
    QMap<QPair<QString, int>, qint64> dropped;
    for (const Clustr::ChildInfo &child : status.children())
        dropped.insert({child.group(), child.instance()}, child.droppedOutputLines());
    for (auto it = dropped.cbegin(); it != dropped.cend(); ++it)
        out.sample("clustr_child_dropped_output_lines_total",
                   {{"cluster", cluster}, {"group", it.key().first}, {"index", QString::number(it.key().second)}}, double(it.value()));

    out.family("clustr_process_events_total", "counter", "A process' event counters (the stats of each process).");
    auto counters = [&out](const Labels &labels, const Clustr::Stats &stats) {
        const QJsonObject byName = stats.toJson();
        for (auto it = byName.begin(); it != byName.end(); ++it)
            out.sample("clustr_process_events_total", labels + Labels{{"counter", it.key()}}, it.value().toDouble());
    };
    counters({{"cluster", cluster}, {"group", QStringLiteral("master")}, {"instance", QStringLiteral("0")}}, master.stats());
    for (auto it = bySlot.cbegin(); it != bySlot.cend(); ++it) {
        if (it->heartbeat())
            counters(slotLabels(it.key()), it->stats());
    }
    return out.text();
}

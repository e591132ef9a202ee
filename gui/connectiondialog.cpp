// SPDX-License-Identifier: MIT
#include "connectiondialog.h"

#include <ClustrQt/redisclient.h>

#include <QtWidgets/QDialogButtonBox>
#include <QtWidgets/QFormLayout>
#include <QtWidgets/QLabel>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QPushButton>
#include <QtWidgets/QRadioButton>
#include <QtWidgets/QVBoxLayout>

ConnectionDialog::ConnectionDialog(const ConnectionSettings &settings, QWidget *parent)
    : QDialog(parent)
    , m_name(new QLineEdit(settings.clusterName, this))
    , m_automatic(new QRadioButton(QStringLiteral("Find it like clustr-qt does"), this))
    , m_manual(new QRadioButton(QStringLiteral("Use this URL:"), this))
    , m_url(new QLineEdit(settings.redisUrl, this))
    , m_urlError(new QLabel(this))
    , m_found(new QLabel(this))
{
    setWindowTitle(QStringLiteral("Connection"));
    setObjectName(QStringLiteral("connectionDialog"));
    m_name->setPlaceholderText(QStringLiteral("none: the default cluster"));
    m_name->setToolTip(QStringLiteral("The cluster's name (its namespace), as given to clustr-qt or --cluster-namespace"));
    m_automatic->setObjectName(QStringLiteral("findAutomatically"));
    m_manual->setObjectName(QStringLiteral("useUrl"));
    m_url->setObjectName(QStringLiteral("redisUrl"));
    m_url->setPlaceholderText(QStringLiteral("redis://127.0.0.1:6379, rediss://host:6380?cacert=/path/ca.pem or unix:///path/to.sock"));
    m_urlError->setObjectName(QStringLiteral("redisUrlError"));
    m_urlError->setWordWrap(true);
    m_urlError->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_urlError->hide();
    m_found->setWordWrap(true);
    m_found->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_found->setStyleSheet(QStringLiteral("color: palette(mid);"));
    (settings.automatic ? m_automatic : m_manual)->setChecked(true);

    auto *form = new QFormLayout;
    form->addRow(QStringLiteral("Cluster name:"), m_name);
    auto *redis = new QVBoxLayout;
    redis->addWidget(m_automatic);
    redis->addWidget(m_found);
    redis->addWidget(m_manual);
    redis->addWidget(m_url);
    redis->addWidget(m_urlError);
    form->addRow(QStringLiteral("Redis:"), redis);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_connect = buttons->button(QDialogButtonBox::Ok);
    m_connect->setText(QStringLiteral("Connect"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(buttons);

    connect(m_name, &QLineEdit::textChanged, this, &ConnectionDialog::updateDiscovery);
    connect(m_automatic, &QRadioButton::toggled, this, &ConnectionDialog::updateDiscovery);
    connect(m_url, &QLineEdit::textEdited, this, [this] { m_manual->setChecked(true); });
    connect(m_url, &QLineEdit::textChanged, this, &ConnectionDialog::checkUrl);
    updateDiscovery();
    resize(520, sizeHint().height());
}

ConnectionSettings ConnectionDialog::settings() const
{
    ConnectionSettings s;
    s.clusterName = m_name->text().trimmed();
    s.redisUrl = m_url->text().trimmed();
    s.automatic = m_automatic->isChecked() || s.redisUrl.isEmpty();
    return s;
}

void ConnectionDialog::updateDiscovery()
{
    ConnectionSettings probe;
    probe.clusterName = m_name->text().trimmed();
    QStringList tried;
    const QString url = probe.effectiveUrl(&tried);
    m_found->setText(QStringLiteral("Finds %1 now (looked at: %2)").arg(url, tried.join(QStringLiteral("; "))));
    m_found->setEnabled(m_automatic->isChecked());
    m_url->setEnabled(!m_automatic->isChecked());
    checkUrl();
}

void ConnectionDialog::checkUrl()
{
    // The one check every place a URL is given makes (the CLI's --redis, a
    // cluster file, a worker's --cluster-redis): refused here, not later.
    const QString url = m_url->text().trimmed();
    QString error;
    const bool valid = m_automatic->isChecked() || url.isEmpty() || Clustr::RedisClient::isValidUrl(url, &error);
    m_urlError->setText(error);
    m_urlError->setVisible(!valid);
    m_connect->setEnabled(valid);
}

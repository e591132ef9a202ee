// SPDX-License-Identifier: MIT
// A chat between the workers of a cluster: every window is a worker of the
// group "chat"; what one sends (a public message) every other shows, and
// with a member picked on the left it goes to that process alone (private).
// Who is in the group comes from the master (cluster info), as a worker may ask.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import ClustrQt

ApplicationWindow {
    id: window
    width: 640
    height: 400
    visible: true
    title: qsTr("clustr-qt chat — pid %1%2").arg(worker.pid).arg(worker.connected ? "" : qsTr(" (connecting…)"))

    // For whoever drives this window from outside (tests/auto/qml).
    property alias worker: worker
    property alias messages: messages
    property var members: []      // pids of the group, from the last cluster info
    property int privateTo: 0     // a member's pid: send to it alone

    function send(text) {
        if (text.length === 0)
            return false
        const data = { text: text }
        if (privateTo <= 0)
            return worker.emitPublic(data) // it comes back to us too, as to everyone
        if (!worker.emitPrivate(privateTo, data))
            return false
        messages.append({ from: worker.pid, to: privateTo, text: text })
        return true
    }

    function show(message, privately) {
        // Data from a program that is not this chat is shown as it was sent.
        const text = typeof message.data === "object" && message.data !== null && "text" in message.data
                   ? String(message.data.text) : message.dataJson
        messages.append({ from: message.pid, to: privately ? worker.pid : 0, text: text })
        log.positionViewAtEnd()
        // Someone new: ask the master who is here now.
        if (!members.includes(message.pid))
            worker.requestClusterInfo()
    }

    Worker {
        id: worker
        // The group the cluster file gives (`"group": "chat"`); "chat" when started by hand.
        group: Qt.application.arguments.some(a => a.startsWith("--cluster-master-pid=")) ? "" : "chat"
        onPublicMessageReceived: (message) => window.show(message, false)
        onPrivateMessageReceived: (message) => window.show(message, true)
        onReadyChanged: if (ready) requestClusterInfo()
        onClusterInfoReceived: (info) => window.members = info[group] || []
        onClusterInfoRequestFailed: (reason) => status.text = qsTr("who is here? %1").arg(reason)
        onErrorOccurred: (text) => status.text = text
        Component.onCompleted: emitReady()
    }

    ListModel { id: messages }

    RowLayout {
        anchors.fill: parent
        spacing: 0

        ListView {
            id: memberList
            Layout.preferredWidth: 170
            Layout.fillHeight: true
            clip: true
            model: window.members
            header: Label { padding: 6; text: qsTr("In %1: %n", "", window.members.length).arg(worker.group) }
            delegate: ItemDelegate {
                width: memberList.width
                text: modelData === worker.pid ? qsTr("%1 (me)").arg(modelData) : modelData
                highlighted: modelData === window.privateTo
                enabled: modelData !== worker.pid
                onClicked: window.privateTo = highlighted ? 0 : modelData
            }
        }

        ColumnLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            ListView {
                id: log
                Layout.fillWidth: true
                Layout.fillHeight: true
                clip: true
                model: messages
                delegate: Label {
                    width: log.width
                    wrapMode: Text.Wrap
                    padding: 4
                    text: (model.from === worker.pid ? qsTr("me") : model.from)
                          + (model.to === 0 ? "" : model.to === worker.pid ? qsTr(" (to me)") : qsTr(" (to %1)").arg(model.to))
                          + ": " + model.text
                }
            }
            RowLayout {
                Layout.fillWidth: true
                Layout.margins: 6
                TextField {
                    id: input
                    objectName: "input"
                    Layout.fillWidth: true
                    placeholderText: window.privateTo > 0 ? qsTr("To %1 only").arg(window.privateTo) : qsTr("To everyone")
                    enabled: worker.ready
                    onAccepted: if (window.send(text)) text = ""
                }
                Button {
                    text: qsTr("Send")
                    enabled: worker.ready && input.text.length > 0
                    onClicked: input.accepted()
                }
            }
            Label {
                id: status
                Layout.margins: 6
                text: worker.ready ? qsTr("in the group %1").arg(worker.group) : qsTr("joining…")
            }
        }
    }
}

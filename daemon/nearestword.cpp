// SPDX-License-Identifier: MIT
// Did-you-mean for commands and cluster file keys.
#include "nearestword.h"

#include <QtCore/QList>

#include <algorithm>

namespace Cli {

namespace {

// Edits (insert, delete, replace, swap two neighbours) from \a a to \a b.
int editDistance(const QString &a, const QString &b)
{
    QList<QList<int>> d(a.size() + 1, QList<int>(b.size() + 1, 0));
    for (int i = 0; i <= a.size(); ++i)
        d[i][0] = i;
    for (int j = 0; j <= b.size(); ++j)
        d[0][j] = j;
    for (int i = 1; i <= a.size(); ++i) {
        for (int j = 1; j <= b.size(); ++j) {
            const int cost = a.at(i - 1) == b.at(j - 1) ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a.at(i - 1) == b.at(j - 2) && a.at(i - 2) == b.at(j - 1))
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.size()][b.size()];
}

} // namespace

QString nearestWord(const QString &typed, const QStringList &candidates)
{
    QString best;
    int bestDistance = 3; // more edits than 2 is another word
    for (const QString &candidate : candidates) {
        const int distance = editDistance(typed.toLower(), candidate.toLower());
        // Short words need a closer match: "ls" is not a misspelt "kill".
        if (distance < bestDistance && distance < std::max<int>(2, int(candidate.size()) / 2 + 1)) {
            best = candidate;
            bestDistance = distance;
        }
    }
    return best;
}

} // namespace Cli

namespace FedTrust.Core.Metrics;

/// <summary>
/// A square confusion matrix (rows: true class, columns: predicted class) and the metrics the paper reports:
/// accuracy, and precision, recall and F1 macro-averaged over classes (a class never predicted has precision 0;
/// a class absent from the labels is left out of the macro average).
/// </summary>
public sealed class ConfusionMatrix
{
    private readonly long[] _counts;

    public ConfusionMatrix(int classes)
    {
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "a confusion matrix needs at least 2 classes");
        Classes = classes;
        _counts = new long[classes * classes];
    }

    public int Classes { get; }

    /// <summary>The number of samples of true class <paramref name="actual"/> predicted as <paramref name="predicted"/>.</summary>
    public long this[int actual, int predicted] => _counts[actual * Classes + predicted];

    public long Total { get; private set; }

    public void Add(int actual, int predicted)
    {
        if ((uint)actual >= (uint)Classes) throw new ArgumentOutOfRangeException(nameof(actual), actual, $"class must be in 0..{Classes - 1}");
        if ((uint)predicted >= (uint)Classes) throw new ArgumentOutOfRangeException(nameof(predicted), predicted, $"class must be in 0..{Classes - 1}");
        _counts[actual * Classes + predicted]++;
        Total++;
    }

    /// <summary>Adds every count of <paramref name="other"/> (a matrix over other samples of the same classes).</summary>
    public void Add(ConfusionMatrix other)
    {
        if (other.Classes != Classes) throw new ArgumentException($"a {other.Classes}-class matrix cannot be added to a {Classes}-class one", nameof(other));
        for (var i = 0; i < _counts.Length; i++) _counts[i] += other._counts[i];
        Total += other.Total;
    }

    public void AddRange(ReadOnlySpan<long> actual, ReadOnlySpan<long> predicted)
    {
        if (actual.Length != predicted.Length) throw new ArgumentException($"{actual.Length} labels but {predicted.Length} predictions");
        for (var i = 0; i < actual.Length; i++) Add((int)actual[i], (int)predicted[i]);
    }

    public double Accuracy
    {
        get
        {
            if (Total == 0) return 0;
            long correct = 0;
            for (var c = 0; c < Classes; c++) correct += this[c, c];
            return (double)correct / Total;
        }
    }

    /// <summary>Precision of one class: TP / (TP + FP), 0 when the class is never predicted.</summary>
    public double Precision(int c)
    {
        long predicted = 0;
        for (var a = 0; a < Classes; a++) predicted += this[a, c];
        return predicted == 0 ? 0 : (double)this[c, c] / predicted;
    }

    /// <summary>Recall of one class: TP / (TP + FN), 0 when the class does not occur.</summary>
    public double Recall(int c)
    {
        long actual = Support(c);
        return actual == 0 ? 0 : (double)this[c, c] / actual;
    }

    public double F1(int c)
    {
        double p = Precision(c), r = Recall(c);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    public long Support(int c)
    {
        long n = 0;
        for (var p = 0; p < Classes; p++) n += this[c, p];
        return n;
    }

    public double MacroPrecision => MacroAverage(Precision);
    public double MacroRecall => MacroAverage(Recall);
    public double MacroF1 => MacroAverage(F1);

    private double MacroAverage(Func<int, double> metric)
    {
        double sum = 0;
        var present = 0;
        for (var c = 0; c < Classes; c++)
        {
            if (Support(c) == 0) continue;
            sum += metric(c);
            present++;
        }
        return present == 0 ? 0 : sum / present;
    }

    /// <summary>The four headline numbers, as reported per round and in result.json.</summary>
    public ClassificationMetrics Summary() => new(Accuracy, MacroPrecision, MacroRecall, MacroF1);
}

/// <summary>Accuracy and macro-averaged precision, recall and F1.</summary>
public sealed record ClassificationMetrics(double Accuracy, double Precision, double Recall, double F1);

using FedTrust.Core.Metrics;

namespace FedTrust.Core.Tests.Metrics;

public class ConfusionMatrixTests
{
    // Hand-computed 3-class example.
    //              predicted 0  1  2
    // actual 0:              3  1  0   (support 4)
    // actual 1:              0  2  2   (support 4)
    // actual 2:              1  0  2   (support 3)
    private static ConfusionMatrix Example()
    {
        var m = new ConfusionMatrix(3);
        void Add(int a, int p, int times) { for (var i = 0; i < times; i++) m.Add(a, p); }
        Add(0, 0, 3); Add(0, 1, 1);
        Add(1, 1, 2); Add(1, 2, 2);
        Add(2, 0, 1); Add(2, 2, 2);
        return m;
    }

    [Fact]
    public void Accuracy_is_the_diagonal_over_the_total()
    {
        var m = Example();
        Assert.Equal(11, m.Total);
        Assert.Equal(7.0 / 11, m.Accuracy, 12);
    }

    [Fact]
    public void Per_class_precision_recall_and_f1_match_hand_computation()
    {
        var m = Example();
        // precision: class0 3/4, class1 2/3, class2 2/4
        Assert.Equal(0.75, m.Precision(0), 12);
        Assert.Equal(2.0 / 3, m.Precision(1), 12);
        Assert.Equal(0.5, m.Precision(2), 12);
        // recall: class0 3/4, class1 2/4, class2 2/3
        Assert.Equal(0.75, m.Recall(0), 12);
        Assert.Equal(0.5, m.Recall(1), 12);
        Assert.Equal(2.0 / 3, m.Recall(2), 12);
        // f1 of class1: 2 * (2/3 * 1/2) / (2/3 + 1/2) = 4/7
        Assert.Equal(4.0 / 7, m.F1(1), 12);
    }

    [Fact]
    public void Macro_averages_are_unweighted_means_over_classes()
    {
        var m = Example();
        Assert.Equal((0.75 + 2.0 / 3 + 0.5) / 3, m.MacroPrecision, 12);
        Assert.Equal((0.75 + 0.5 + 2.0 / 3) / 3, m.MacroRecall, 12);
        var f1 = new[] { 0.75, 4.0 / 7, 2 * (0.5 * 2.0 / 3) / (0.5 + 2.0 / 3) };
        Assert.Equal(f1.Average(), m.MacroF1, 12);
    }

    [Fact]
    public void A_class_that_is_never_predicted_has_zero_precision_and_absent_classes_are_left_out()
    {
        var m = new ConfusionMatrix(3);
        m.Add(0, 0);
        m.Add(1, 0);
        Assert.Equal(0, m.Precision(1));
        Assert.Equal(0.5, m.Accuracy);
        // class 2 never occurs: the macro average is over classes 0 and 1 only
        Assert.Equal((0.5 + 0.0) / 2, m.MacroPrecision, 12);
        Assert.Equal((1.0 + 0.0) / 2, m.MacroRecall, 12);
    }

    [Fact]
    public void Out_of_range_classes_and_length_mismatch_are_refused()
    {
        var m = new ConfusionMatrix(10);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Add(10, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Add(0, -1));
        Assert.Throws<ArgumentException>(() => m.AddRange(new long[] { 1, 2 }, new long[] { 1 }));
    }
}

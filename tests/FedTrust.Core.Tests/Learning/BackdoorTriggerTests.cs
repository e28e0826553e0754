using FedTrust.Core.Attacks;
using FedTrust.Core.Data;
using FedTrust.Core.Learning;

namespace FedTrust.Core.Tests.Learning;

/// <summary>The trigger: the checkerboard "X" at rows and columns 23–25, stamped with a white pixel's normalised value.</summary>
public sealed class BackdoorTriggerTests
{
    [Fact]
    public void The_pixels_are_the_checkerboard_cells_of_rows_and_columns_23_to_25()
    {
        var expected = new List<int>();
        for (var row = 23; row <= 25; row++)
            for (var col = 23; col <= 25; col++)
                if ((row + col) % 2 == 0) expected.Add(row * 28 + col);

        Assert.Equal(expected, BackdoorTrigger.Pixels);
        Assert.Equal([667, 669, 696, 723, 725], BackdoorTrigger.Pixels);
    }

    [Fact]
    public void The_stamp_value_is_a_white_pixel_as_the_data_set_normalises_it_bit_for_bit()
    {
        var white = new IdxImages(1, 28, 28, Enumerable.Repeat((byte)255, 784).ToArray());
        using var tensors = new LabeledTensors(white, [0]);
        using var pixel = tensors.Images[0, 0];

        Assert.Equal(BitConverter.SingleToInt32Bits(pixel.item<float>()), BitConverter.SingleToInt32Bits(BackdoorTrigger.StampValue));
        Assert.InRange(BackdoorTrigger.StampValue, 2.8214f, 2.8216f); // (1 − 0.1307)/0.3081
    }

    [Fact]
    public void Stamping_sets_exactly_the_trigger_pixels()
    {
        var image = Enumerable.Range(0, 784).Select(i => i * 0.001f - 0.4f).ToArray();
        var before = image.ToArray();

        BackdoorTrigger.Stamp(image);

        for (var i = 0; i < image.Length; i++)
            Assert.Equal(BackdoorTrigger.Pixels.Contains(i) ? BackdoorTrigger.StampValue : before[i], image[i]);
    }

    [Fact]
    public void Stamping_refuses_an_image_of_another_size()
    {
        var e = Assert.Throws<ArgumentException>(() => BackdoorTrigger.Stamp(new float[783]));
        Assert.Contains("28×28 images (784 values), not on 783 values", e.Message);
    }
}
